// Entry point of the daemon's index worker thread (the code is src/daemon/index-worker.ts). It sits
// at the top of src/, beside main.ts, on purpose: in the compiled binary a worker's modules resolve
// relative URLs from their entry's place, and the parse workers the indexer starts from inside this
// thread are found at ./index/parse-worker from here, as they are from main.
import "./daemon/index-worker.ts";
