// Adapter: a file read again only when it changed (another inode, size or
// modification time, in nanoseconds), so a rotated Secret, a renewed client
// certificate or a kubelet-refreshed token is picked up at the next request
// at the cost of one stat, not one read.
import { readFileSync, statSync } from 'node:fs';

export class WatchedFile {
  readonly path: string;
  #stamp = '';
  #content: Buffer | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** The content, the same Buffer object until the file changes (callers compare by identity). Throws if it cannot be read. */
  read(): Buffer {
    const st = statSync(this.path, { bigint: true });
    const stamp = `${String(st.ino)}:${String(st.size)}:${String(st.mtimeNs)}:${String(st.ctimeNs)}`;
    if (this.#content === undefined || stamp !== this.#stamp) {
      this.#content = readFileSync(this.path);
      this.#stamp = stamp;
    }
    return this.#content;
  }
}
