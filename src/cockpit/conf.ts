// The tmux cockpit: `~/.tmux.conf.d/skep.conf`, a snippet the user sources from their own
// `~/.tmux.conf` (skep never edits that file). It sets a status line fed by
// `skep status --oneline` and keys that open skep views in popups; every key runs a skep command
// that exists. What is installed and whether the user's config sources it is read from disk.
import { existsSync, readFileSync, statSync } from "node:fs";
import { homeDir } from "../trust/home.ts";
import { join, resolve } from "node:path";

export interface CockpitPaths {
  home: string;
  dir: string;
  conf: string;
  /** The tmux config tmux itself would read first (~/.tmux.conf unless only an XDG one exists). */
  userConf: string;
}

/** HOME from the environment (tests and sandboxes point it elsewhere), else the account's. */
export function cockpitPaths(): CockpitPaths {
  const home = resolve(homeDir());
  const dir = join(home, ".tmux.conf.d");
  const xdg = process.env.XDG_CONFIG_HOME ? join(process.env.XDG_CONFIG_HOME, "tmux", "tmux.conf") : null;
  const candidates = [join(home, ".tmux.conf"), ...(xdg ? [xdg] : []), join(home, ".config", "tmux", "tmux.conf")];
  return { home, dir, conf: join(dir, "skep.conf"), userConf: candidates.find((p) => existsSync(p)) ?? candidates[0]! };
}

/** The line the user adds to ~/.tmux.conf. */
export const SOURCE_LINE = "source-file ~/.tmux.conf.d/skep.conf";

/**
 * How the snippet runs skep. The compiled binary names itself by absolute path, so the status
 * line works whatever PATH tmux's server inherited. From source (bun src/main.ts) there is no
 * binary to name, and `bun /abs/src/main.ts` would tie tmux to a checkout: `skep` on PATH then.
 * A path tmux or sh would mangle (quotes, `#` formats, `%` strftime, `$`) also falls back to PATH.
 */
export function snippetCommand(): { command: string; source: "binary" | "path"; note: string } {
  const main = Bun.main;
  const compiled = main.startsWith("/$bunfs/") || main.includes("~BUN");
  if (compiled) {
    const bin = process.execPath;
    if (/^[A-Za-z0-9_./+@,:=~-]+$/.test(bin)) return { command: bin, source: "binary", note: `runs ${bin} (this skep binary, by absolute path)` };
    if (!/["$`\\'#%\n]/.test(bin)) return { command: `"${bin}"`, source: "binary", note: `runs ${bin} (this skep binary, by absolute path)` };
    return { command: "skep", source: "path", note: `runs \`skep\` from PATH: this binary's path (${bin}) has characters tmux or sh would change` };
  }
  const onPath = Bun.which("skep");
  return {
    command: "skep",
    source: "path",
    note: onPath
      ? `runs \`skep\` from PATH (${onPath}): this skep runs from source, not as a compiled binary`
      : "runs `skep` from PATH, where there is none yet: this skep runs from source; build it (bun run build) and put dist/skep on PATH, then the status line fills in",
  };
}

/** The snippet. tmux 3.2 or later (display-popup); every key runs a real skep command. */
export function snippet(skep: string, note: string, writtenAt: Date): string {
  return `# skep cockpit for tmux: written by \`skep cockpit setup\` on ${writtenAt.toISOString()}.
# Load it from ~/.tmux.conf with this line (skep never edits ~/.tmux.conf):
#   ${SOURCE_LINE}
# \`skep cockpit setup\` rewrites this file (keeping the old one as skep.conf.backup-<unix>);
# \`skep cockpit reset\` removes it. Put your own changes in ~/.tmux.conf, after the source-file line.
# Needs tmux 3.2 or later (display-popup). skep here ${note}.

# Responsive keys and true colour
set -sg escape-time 0
set -g focus-events on
set -g default-terminal "tmux-256color"
set -sa terminal-overrides ",*256col*:RGB"

# Windows and panes count from 1, like the keyboard; windows renumber when one closes
set -g base-index 1
setw -g pane-base-index 1
set -g renumber-windows on
set -g detach-on-destroy off
setw -g aggressive-resize on

set -g mouse on
set -g history-limit 50000
setw -g mode-keys vi
bind -T copy-mode-vi v send -X begin-selection
bind -T copy-mode-vi y send -X copy-selection-and-cancel

# A task window that prints something is marked in the window list; no beeps or flashes
setw -g monitor-activity on
set -g visual-activity off
set -g visual-bell off
set -g bell-action any

# Status line: the tasks of the workspace the active pane is in (skep status --oneline reads the
# task stores directly: no daemon, no git), refreshed every 5 seconds
set -g status-interval 5
set -g status-style "bg=colour234,fg=colour244"
set -g status-left " ◠ "
set -g status-left-length 10
set -g status-right '#(${skep} status --oneline --tmux --repo #{q:pane_current_path}) #[fg=colour244]%H:%M '
set -g status-right-length 120
setw -g window-status-format " #I #W "
setw -g window-status-current-format "#[fg=colour255,bg=colour238] #I #W "
set -g pane-border-style "fg=colour238"
set -g pane-active-border-style "fg=colour244"
set -g message-style "bg=colour238,fg=colour255"

# Keys, after the prefix (Ctrl+b)
bind h select-pane -L
bind j select-pane -D
bind k select-pane -U
bind l select-pane -R
bind -r H resize-pane -L 5
bind -r J resize-pane -D 5
bind -r K resize-pane -U 5
bind -r L resize-pane -R 5
bind | split-window -h -c "#{pane_current_path}"
bind - split-window -v -c "#{pane_current_path}"
bind c new-window -c "#{pane_current_path}"
# S: the dashboard of every repo's tasks (q closes)
bind S display-popup -w 90% -h 80% -d "#{pane_current_path}" -E '${skep} workspace watch'
# !: the oldest task of the workspace waiting for a person, with the commands that answer it
bind ! display-popup -w 80% -h 70% -d "#{pane_current_path}" -E '${skep} task jump-pending; printf "\\n(Enter closes) "; read -r _'
# T: every task of the workspace; A: search the code index of the pane's repo (Enter closes both)
bind T display-popup -w 80% -h 50% -d "#{pane_current_path}" -E '${skep} tasks --all; printf "\\n(Enter closes) "; read -r _'
bind A display-popup -w 70% -h 60% -d "#{pane_current_path}" -E 'printf "skep search: "; read -r q && [ -n "$q" ] && ${skep} search -- "$q"; printf "\\n(Enter closes) "; read -r _'
# R: reload your tmux config (which sources this file)
bind R source-file -q ~/.tmux.conf \\; display-message "tmux config reloaded"
`;
}

/** Does `userConf` source the snippet? A `source-file` line naming it, by path or by a glob matching it. */
export function isSourced(userConf: string, conf: string, home: string): boolean {
  let text: string;
  try {
    text = readFileSync(userConf, "utf8");
  } catch {
    return false;
  }
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#")) continue;
    const words = line.split(/\s+/);
    if (words[0] !== "source-file" && words[0] !== "source") continue;
    for (const word of words.slice(1)) {
      if (word.startsWith("-")) continue;
      if (word.startsWith("#")) break; // a trailing comment
      const path = word
        .replace(/^["']|["']$/g, "")
        .replace(/^~(?=\/)/, home)
        .replace(/^\$\{?HOME\}?(?=\/)/, home);
      if (path === conf || new Bun.Glob(path).match(conf)) return true;
    }
  }
  return false;
}

export interface CockpitStatus {
  conf_path: string;
  installed: boolean;
  /** Bytes; 0 when not installed. */
  size: number;
  user_tmux_conf: string;
  sourced: boolean;
  user_tmux_exists: boolean;
}

export function cockpitStatus(p: CockpitPaths = cockpitPaths()): CockpitStatus {
  const installed = existsSync(p.conf);
  return {
    conf_path: p.conf,
    installed,
    size: installed ? statSync(p.conf).size : 0,
    user_tmux_conf: p.userConf,
    sourced: isSourced(p.userConf, p.conf, p.home),
    user_tmux_exists: existsSync(p.userConf),
  };
}
