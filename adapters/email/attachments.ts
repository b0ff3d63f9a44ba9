/**
 * The bytes of inbound mail attachments, kept under the data folder. A ticket holds only a
 * reference (name, type, size, url); the url leads to the API's authenticated attachment route.
 * Files are named by the SHA-256 of their content, so a repeated delivery writes nothing new and a
 * name in a URL can never reach outside the folder.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredAttachment {
  /** SHA-256 of the content, lower-case hex. */
  id: string;
  /** MIME type the first delivery gave it. */
  type: string;
  size: number;
}

export interface AttachmentStore {
  put(content: Buffer, type: string): Promise<StoredAttachment>;
  /** The content and its type, or undefined for an unknown id. */
  get(id: string): Promise<{ content: Buffer; type: string } | undefined>;
}

const ID = /^[0-9a-f]{64}$/;

export function fileAttachmentStore(dir: string): AttachmentStore {
  let made: Promise<unknown> | undefined;
  const ready = () => (made ??= mkdir(dir, { recursive: true }));
  const exists = (path: string) => stat(path).then(() => true, () => false);
  // Written under a temporary name and renamed, so a reader never sees half a file.
  const writeOnce = async (path: string, data: Buffer | string) => {
    if (await exists(path)) return;
    const temp = `${path}.${randomUUID()}.tmp`;
    await writeFile(temp, data);
    await rename(temp, path);
  };
  return {
    async put(content, type) {
      await ready();
      const id = createHash('sha256').update(content).digest('hex');
      await writeOnce(join(dir, `${id}.json`), JSON.stringify({ type, size: content.length }));
      await writeOnce(join(dir, id), content);
      return { id, type, size: content.length };
    },
    async get(id) {
      if (!ID.test(id)) return undefined;
      await ready();
      try {
        const meta = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as { type: string };
        return { content: await readFile(join(dir, id)), type: meta.type };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}
