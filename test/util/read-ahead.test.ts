/**
 * Issue 12: the read-ahead worker (src/util/read-ahead.ts) lists and reads a source's folders on a second thread.
 * It may only save work: whatever it leaves out (links, FIFOs, files over the limit, units the caller has passed) the
 * caller reads itself, and it never runs more than its window ahead of the caller.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { prepareAheadUnits, ReadAhead, readAheadWanted, type Probe } from '../../src/util/read-ahead';
import { FolderTree } from '../../src/util/folders';
import { SPEC_AHEAD } from '../../src/sources/apiops/reader';
import {
  preparedYamlSpec,
  unpackOperations,
  yamlSpecOperations,
  type PackedOperations,
} from '../../src/sources/apiops/spec';
import { makeTempDir } from '../helpers/temp';

function tree(units: number): { root: string; dirs: string[] } {
  const root = makeTempDir('read-ahead');
  const dirs: string[] = [];
  for (let i = 0; i < units; i++) {
    const dir = path.join(root, 'apis', `api-${i}`);
    mkdirSync(path.join(dir, 'operations', 'get'), { recursive: true });
    writeFileSync(path.join(dir, 'apiInformation.json'), `{"n":${i}}`);
    writeFileSync(path.join(dir, 'operations', 'get', 'policy.xml'), `<policies>${i}</policies>`);
    dirs.push(dir);
  }
  return { root, dirs };
}

/** A FolderTree of `root` that reads `units` ahead with `probes` (read-ahead on, whatever the count). */
function readingAhead(root: string, units: string[], probes: Probe[]): FolderTree {
  const tree = new FolderTree(root);
  process.env['APIM_AUDIT_READ_AHEAD'] = 'on';
  try {
    tree.startReadAhead(units, 1, undefined, probes);
  } finally {
    delete process.env['APIM_AUDIT_READ_AHEAD'];
  }
  return tree;
}

/** What a FolderTree says of each file: whether it is present, and its text or why it cannot be read. */
function answersOf(tree: FolderTree, files: readonly string[], root: string): [string, boolean, string][] {
  return files.map((file) => {
    const present = tree.present(file);
    let text: string;
    try {
      text = tree.readText(file);
    } catch (error) {
      text = `error: ${(error as Error).message}`;
    }
    return [path.relative(root, file), present, text];
  });
}

/**
 * Expects a FolderTree reading `units` ahead with `probes` to say of `files` what one reading the folders itself says,
 * `present` of them being there.
 */
function expectSameAnswers(
  root: string,
  units: string[],
  probes: Probe[],
  files: readonly string[],
  present: number,
): void {
  const plain = new FolderTree(root);
  const ahead = readingAhead(root, units, probes);
  try {
    const expected = answersOf(plain, files, root);
    expect(expected.filter(([, there]) => there)).toHaveLength(present);
    expect(answersOf(ahead, files, root)).toEqual(expected);
  } finally {
    ahead.stopReadAhead();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ReadAhead', () => {
  it('keeps nothing of what it read once closed, not even the paths of its folders', () => {
    const { dirs } = tree(3);
    const ahead = new ReadAhead(dirs, 1024);
    expect(ahead.listing(dirs[0] as string)).toBeDefined();
    ahead.close();
    // The worker's error listener holds this object until the event loop sees the thread end: nothing large is kept.
    const kept = ahead as unknown as Record<string, unknown>;
    for (const field of ['index', 'unitOfDir', 'units']) {
      expect([field, (kept[field] as Map<unknown, unknown>).size]).toEqual([field, 0]);
    }
    expect(ahead.listing(dirs[1] as string)).toBeUndefined();
  });

  it('hands over the listings and bytes of each unit once, in and below its folder', () => {
    const { dirs } = tree(3);
    const dir = dirs[1] as string;
    const ahead = new ReadAhead(dirs, 1024);
    try {
      const listed = ahead.listing(dir);
      expect(listed?.map((e) => [e.name, e.isDirectory(), e.isFile()]).sort()).toEqual([
        ['apiInformation.json', false, true],
        ['operations', true, false],
      ]);
      expect(ahead.listing(path.join(dir, 'operations', 'get'))?.map((e) => e.name)).toEqual(['policy.xml']);
      expect(ahead.take(path.join(dir, 'operations', 'get', 'policy.xml'))?.toString()).toBe(
        '<policies>1</policies>',
      );
      // Handed over once: a second read is the caller's.
      expect(ahead.take(path.join(dir, 'operations', 'get', 'policy.xml'))).toBeUndefined();
      // A unit the caller has passed is dropped (it reads anything there itself).
      expect(ahead.take(path.join(dirs[0] as string, 'apiInformation.json'))).toBeUndefined();
      expect(ahead.take(path.join(dirs[2] as string, 'apiInformation.json'))?.toString()).toBe('{"n":2}');
      // Not a unit: nothing.
      expect(ahead.listing(path.dirname(dir))).toBeUndefined();
    } finally {
      ahead.close();
    }
  });

  it('follows no link, reads no FIFO and no file over the limit: it lists them, the caller reads them', () => {
    const { root, dirs } = tree(1);
    const dir = dirs[0] as string;
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret.xml'), 'secret');
    symlinkSync(path.join(outside, 'secret.xml'), path.join(dir, 'policy.xml'));
    symlinkSync(outside, path.join(dir, 'linked'));
    writeFileSync(path.join(dir, 'large.json'), 'x'.repeat(2048));
    execFileSync('mkfifo', [path.join(dir, 'fifo.xml')]);
    const ahead = new ReadAhead(dirs, 1024);
    try {
      const kinds = Object.fromEntries(
        (ahead.listing(dir) ?? []).map((e) => [
          e.name,
          e.isSymbolicLink() ? 'link' : e.isDirectory() ? 'folder' : e.isFile() ? 'file' : 'other',
        ]),
      );
      expect(kinds).toEqual({
        'apiInformation.json': 'file',
        operations: 'folder',
        'policy.xml': 'link',
        linked: 'link',
        'large.json': 'file',
        'fifo.xml': 'other',
      });
      for (const name of ['policy.xml', 'large.json', 'fifo.xml']) {
        expect(ahead.take(path.join(dir, name))).toBeUndefined();
      }
      expect(ahead.listing(path.join(dir, 'linked'))).toBeUndefined();
      expect(ahead.take(path.join(dir, 'apiInformation.json'))?.toString()).toBe('{"n":0}');
    } finally {
      ahead.close();
    }
  });

  // A unit of `tree` lists four entries (apiInformation.json, operations/, get/, policy.xml).
  it.each([
    // The first unit (the caller's) and three after it, nothing more until the caller moves on.
    ['units', { units: 3 }, 4],
    // The first unit, then two more: eight entries ahead; a third would make twelve.
    ['listed entries (however many units)', { units: 100, entries: 10 }, 3],
  ])('stays within its window of %s ahead of the caller', async (_what, window, sent) => {
    const { dirs } = tree(40);
    const ahead = new ReadAhead(dirs, 1024, window);
    try {
      await sleep(400);
      expect(ahead.sentUnits()).toBe(sent);
      expect(ahead.take(path.join(dirs[30] as string, 'apiInformation.json'))?.toString()).toBe('{"n":30}');
      await sleep(400);
      // Unit 30 and as many after it as before.
      expect(ahead.sentUnits()).toBe(30 + sent);
    } finally {
      ahead.close();
    }
  });

  it('sends a unit that travels alone (a full window, a waiting caller) in a block of its own size', async () => {
    const { dirs } = tree(60);
    const ahead = new ReadAhead(dirs, 1024, { units: 16 });
    try {
      // The caller moves one unit at a time, and the worker, its window full, sends each unit as it reads it.
      for (let i = 0; i < 40; i++) {
        expect(ahead.take(path.join(dirs[i] as string, 'apiInformation.json'))?.toString()).toBe(
          `{"n":${i}}`,
        );
        await sleep(5);
      }
      // The blocks of the units received and not passed: kilobytes, not 160 KiB for each batch of one unit.
      expect(ahead.blocks().heldBytes).toBeLessThan(64 * 1024);
    } finally {
      ahead.close();
    }
  });

  it('reads into the blocks given back, and gives a block back only once every unit in it is passed', () => {
    const { dirs } = tree(120);
    // Two files of 20 KB per unit, each its own content: some six units to a block.
    const content = (i: number, f: string) => `${f}${i}:`.repeat(4000).slice(0, 20_000);
    dirs.forEach((dir, i) => {
      writeFileSync(path.join(dir, 'a.json'), content(i, 'a'));
      writeFileSync(path.join(dir, 'b.json'), content(i, 'b'));
    });
    // A window of four units: the worker waits for blocks to come back instead of reading everything at once.
    const ahead = new ReadAhead(dirs, 1024 * 1024, { units: 4 });
    try {
      dirs.forEach((dir, i) => {
        const a = ahead.take(path.join(dir, 'a.json'));
        const b = ahead.take(path.join(dir, 'b.json'));
        // The first view is still whole after the second file of its unit is taken.
        expect(a?.toString()).toBe(content(i, 'a'));
        expect(b?.toString()).toBe(content(i, 'b'));
      });
      const { allocated, givenBack } = ahead.blocks();
      expect(givenBack).toBeGreaterThan(10);
      // 4.8 MB were read in 160 KiB blocks: far fewer were allocated than sent.
      expect(allocated).toBeLessThan(10);
    } finally {
      ahead.close();
    }
  });

  it('gives FolderTree the same listings and bytes as reading them itself', () => {
    const { root, dirs } = tree(5);
    const plain = new FolderTree(root);
    const ahead = new FolderTree(root);
    process.env['APIM_AUDIT_READ_AHEAD'] = 'on';
    try {
      ahead.startReadAhead(dirs, 64);
    } finally {
      delete process.env['APIM_AUDIT_READ_AHEAD'];
    }
    try {
      for (const dir of dirs) {
        const policy = path.join(dir, 'operations', 'get', 'policy.xml');
        expect(ahead.present(policy)).toBe(plain.present(policy));
        expect(ahead.readText(policy)).toBe(plain.readText(policy));
        const info = path.join(dir, 'apiInformation.json');
        expect(ahead.readBytes(info).equals(plain.readBytes(info))).toBe(true);
        expect(
          ahead
            .dirents(dir)
            .map((e) => e.name)
            .sort(),
        ).toEqual(
          plain
            .dirents(dir)
            .map((e) => e.name)
            .sort(),
        );
      }
    } finally {
      ahead.stopReadAhead();
    }
  });
});

describe('ReadAhead with a probe', () => {
  const probe = { parent: 'operations', present: ['policy.xml'], absent: ['operationInformation.json'] };

  /** One API with operation folders of every kind a probe meets. */
  function operations(): { root: string; dir: string; op: (name: string) => string } {
    const { root, dirs } = tree(1);
    const dir = dirs[0] as string;
    const op = (name: string) => path.join(dir, 'operations', name);
    for (const name of ['empty', 'notes', 'linked', 'folder', 'informed']) mkdirSync(op(name));
    writeFileSync(path.join(op('notes'), 'notes.txt'), 'notes');
    writeFileSync(path.join(root, 'elsewhere.xml'), '<policies>elsewhere</policies>');
    symlinkSync(path.join(root, 'elsewhere.xml'), path.join(op('linked'), 'policy.xml'));
    mkdirSync(path.join(op('folder'), 'policy.xml'));
    writeFileSync(path.join(op('informed'), 'operationInformation.json'), '{"properties": {}}');
    writeFileSync(path.join(op('informed'), 'policy.xml'), '<policies>informed</policies>');
    // A folder named like the probe's parent deeper down: its subfolders are probed too.
    mkdirSync(path.join(dir, 'more', 'operations', 'deep'), { recursive: true });
    writeFileSync(path.join(dir, 'more', 'operations', 'deep', 'policy.xml'), '<policies>deep</policies>');
    writeFileSync(path.join(dir, 'policy.xml'), '<policies>api</policies>');
    return { root, dir, op };
  }

  it('looks into the subfolders of the parent for the names only, and lists a folder where a name is not a plain file', () => {
    const { dir, op } = operations();
    const ahead = new ReadAhead([dir], 1024, {}, undefined, [probe]);
    try {
      const names = (entries: { name: string }[] | undefined) => entries?.map((e) => e.name);
      // Probed, not listed: the names that are regular files, read.
      expect(names(ahead.probed(op('get'))?.entries)).toEqual(['policy.xml']);
      expect(ahead.listing(op('get'))).toBeUndefined();
      expect(ahead.take(path.join(op('get'), 'policy.xml'))?.toString()).toBe('<policies>0</policies>');
      expect(names(ahead.probed(op('empty'))?.entries)).toEqual([]);
      // What is not one of the names is not known of a probed folder.
      expect(names(ahead.probed(op('notes'))?.entries)).toEqual([]);
      expect(ahead.take(path.join(op('notes'), 'notes.txt'))).toBeUndefined();
      expect(names(ahead.probed(path.join(dir, 'more', 'operations', 'deep'))?.entries)).toEqual([
        'policy.xml',
      ]);
      // A link, a folder, or a name usually absent that is there: the folder is listed as without a probe.
      for (const name of ['linked', 'folder', 'informed']) {
        expect([name, ahead.probed(op(name))]).toEqual([name, undefined]);
        expect([name, names(ahead.listing(op(name)))?.includes('policy.xml')]).toEqual([name, true]);
      }
      expect(
        ahead
          .listing(op('linked'))
          ?.find((e) => e.name === 'policy.xml')
          ?.isSymbolicLink(),
      ).toBe(true);
      expect(ahead.take(path.join(op('linked'), 'policy.xml'))).toBeUndefined();
      expect(ahead.take(path.join(op('informed'), 'policy.xml'))?.toString()).toBe(
        '<policies>informed</policies>',
      );
      // Folders that are not below the parent are listed as usual.
      expect(names(ahead.listing(dir))?.sort()).toEqual([
        'apiInformation.json',
        'more',
        'operations',
        'policy.xml',
      ]);
      expect(ahead.probed(dir)).toBeUndefined();
      expect(names(ahead.listing(path.join(dir, 'operations')))?.sort()).toEqual([
        'empty',
        'folder',
        'get',
        'informed',
        'linked',
        'notes',
      ]);
    } finally {
      ahead.close();
    }
  });

  it('gives FolderTree the same answers as reading the folders itself, for the names probed and any other', () => {
    const { root, dir, op } = operations();
    const plain = new FolderTree(root);
    const ahead = readingAhead(root, [dir], [probe]);
    try {
      const files = [
        path.join(dir, 'policy.xml'),
        path.join(dir, 'operationInformation.json'),
        ...['get', 'empty', 'notes', 'linked', 'folder', 'informed'].flatMap((name) => [
          path.join(op(name), 'policy.xml'),
          path.join(op(name), 'operationInformation.json'),
          path.join(op(name), 'notes.txt'),
        ]),
        path.join(dir, 'more', 'operations', 'deep', 'policy.xml'),
      ];
      const answers = (t: FolderTree) => answersOf(t, files, root);
      const expected = answers(plain);
      expect(expected.filter(([, present]) => present === true)).toHaveLength(8);
      expect(answers(ahead)).toEqual(expected);
      for (const name of ['get', 'notes']) {
        expect(
          ahead
            .dirents(op(name))
            .map((e) => e.name)
            .sort(),
        ).toEqual(
          plain
            .dirents(op(name))
            .map((e) => e.name)
            .sort(),
        );
      }
    } finally {
      ahead.stopReadAhead();
    }
  });
});

describe('ReadAhead with a probe for units', () => {
  const serverProbe = { parent: 'servers', present: ['info.json'], absent: [] };
  const operationProbe = {
    parent: 'operations',
    present: ['policy.xml'],
    absent: ['operationInformation.json'],
  };

  /** Units that are entries of a probe's parent folder (`servers/<s>/`), of every kind a probe meets. */
  function servers(): { root: string; units: string[]; server: (name: string) => string } {
    const root = makeTempDir('read-ahead-units');
    const server = (name: string) => path.join(root, 'servers', name);
    for (const name of ['plain', 'extra', 'empty', 'linked', 'policy'])
      mkdirSync(server(name), { recursive: true });
    for (const name of ['plain', 'extra', 'policy'])
      writeFileSync(path.join(server(name), 'info.json'), `{"n":"${name}"}`);
    writeFileSync(path.join(server('extra'), 'notes.txt'), 'notes');
    writeFileSync(path.join(root, 'elsewhere.json'), '{"n":"elsewhere"}');
    symlinkSync(path.join(root, 'elsewhere.json'), path.join(server('linked'), 'info.json'));
    // A name another probe looks up (operations' policy.xml): not looked up here, so not known from the probe.
    writeFileSync(path.join(server('policy'), 'policy.xml'), '<policies>server</policies>');
    return { root, units: ['plain', 'extra', 'empty', 'linked', 'policy'].map(server), server };
  }

  it('looks into a unit whose folder is the parent of a probe for the names only, instead of listing it', () => {
    const { units, server } = servers();
    const ahead = new ReadAhead(units, 1024, {}, undefined, [operationProbe, serverProbe]);
    try {
      const names = (entries: { name: string }[] | undefined) => entries?.map((e) => e.name);
      expect(names(ahead.probed(server('plain'))?.entries)).toEqual(['info.json']);
      expect(ahead.listing(server('plain'))).toBeUndefined();
      expect(ahead.take(path.join(server('plain'), 'info.json'))?.toString()).toBe('{"n":"plain"}');
      // What else is there is neither listed nor read: the main thread lists the folder when asked.
      expect(names(ahead.probed(server('extra'))?.entries)).toEqual(['info.json']);
      expect(ahead.take(path.join(server('extra'), 'notes.txt'))).toBeUndefined();
      expect(names(ahead.probed(server('empty'))?.entries)).toEqual([]);
      // A link where a name is: listed as without a probe, the link not followed.
      expect(ahead.probed(server('linked'))).toBeUndefined();
      expect(names(ahead.listing(server('linked')))).toEqual(['info.json']);
      expect(ahead.take(path.join(server('linked'), 'info.json'))).toBeUndefined();
    } finally {
      ahead.close();
    }
  });

  it('gives FolderTree the same answers as reading the folders itself, a name of another probe included', () => {
    const { root, units, server } = servers();
    const files = ['plain', 'extra', 'empty', 'linked', 'policy'].flatMap((name) =>
      ['info.json', 'notes.txt', 'policy.xml', 'operationInformation.json'].map((file) =>
        path.join(server(name), file),
      ),
    );
    expectSameAnswers(root, units, [operationProbe, serverProbe], files, 6);
  });
});

describe('ReadAhead with a probe given as a path', () => {
  // Two probes for folders in folders named `apis`: which one applies depends on the folders above (`*`: any name).
  const productApis = { parent: 'products/*/apis', present: ['link.json'], absent: [] };
  const deep = { parent: 'top/a/*/apis', present: ['deep.json'], absent: [] };

  /** Units: an API of `apis/`, a product with APIs, and a folder named `apis` that no pattern matches in full. */
  function products(): { root: string; units: string[]; at: (...names: string[]) => string } {
    const root = makeTempDir('read-ahead-paths');
    const at = (...names: string[]) => path.join(root, ...names);
    const write = (text: string, ...names: string[]) => {
      mkdirSync(path.dirname(at(...names)), { recursive: true });
      writeFileSync(at(...names), text);
    };
    write('{"api":1}', 'apis', 'one', 'link.json');
    write('{"api":1,"info":true}', 'apis', 'one', 'apiInformation.json');
    write('{"p":"gold","api":"one"}', 'products', 'gold', 'apis', 'one', 'link.json');
    write('notes', 'products', 'gold', 'apis', 'one', 'notes.txt');
    mkdirSync(at('products', 'gold', 'apis', 'none'), { recursive: true });
    write('{"p":"silver"}', 'products', 'silver', 'apis', 'two', 'link.json');
    // `other/gold/apis`: the name two folders up is not `products`.
    write('{"other":true}', 'other', 'gold', 'apis', 'three', 'link.json');
    // `top/b/x/apis`: `deep`'s pattern fails at its first name (`a`), not at the wildcard.
    write('{"deep":true}', 'top', 'b', 'x', 'apis', 'four', 'deep.json');
    write('{"deep":true}', 'top', 'a', 'x', 'apis', 'five', 'deep.json');
    const units = [
      at('apis', 'one'),
      at('products', 'gold'),
      at('products', 'silver'),
      at('other', 'gold'),
      at('top'),
    ];
    return { root, units, at };
  }

  it('looks into a folder only where every name of the path matches the folders above it', () => {
    const { units, at } = products();
    const ahead = new ReadAhead(units, 1024, {}, undefined, [deep, productApis]);
    try {
      const names = (entries: { name: string }[] | undefined) => entries?.map((e) => e.name);
      /** Listed as without a probe (asked in the order of the units: the worker drops the units passed). */
      const listed = (...folder: string[]) => {
        expect([folder, ahead.probed(at(...folder))]).toEqual([folder, undefined]);
        return names(ahead.listing(at(...folder)))?.sort();
      };
      // An API of `apis/`: a unit in a folder named like the pattern's last name, not below `products/<product>`.
      expect(listed('apis', 'one')).toEqual(['apiInformation.json', 'link.json']);
      expect(ahead.probed(at('products', 'gold', 'apis', 'one'))).toEqual({
        probe: 1,
        entries: [expect.objectContaining({ name: 'link.json' })],
      });
      expect(ahead.listing(at('products', 'gold', 'apis', 'one'))).toBeUndefined();
      expect(names(ahead.probed(at('products', 'gold', 'apis', 'none'))?.entries)).toEqual([]);
      expect(ahead.probed(at('products', 'silver', 'apis', 'two'))?.probe).toBe(1);
      // Near misses: the name two folders up, and a pattern's first name past its wildcard.
      expect(listed('other', 'gold', 'apis', 'three')).toEqual(['link.json']);
      expect(listed('top', 'b', 'x', 'apis', 'four')).toEqual(['deep.json']);
      expect(ahead.probed(at('top', 'a', 'x', 'apis', 'five'))?.probe).toBe(0);
    } finally {
      ahead.close();
    }
  });

  it('gives FolderTree the same answers as reading the folders itself', () => {
    const { root, units, at } = products();
    const folders = [
      at('apis', 'one'),
      at('products', 'gold', 'apis', 'one'),
      at('products', 'gold', 'apis', 'none'),
      at('products', 'silver', 'apis', 'two'),
      at('other', 'gold', 'apis', 'three'),
      at('top', 'b', 'x', 'apis', 'four'),
      at('top', 'a', 'x', 'apis', 'five'),
    ];
    const files = folders.flatMap((folder) =>
      ['link.json', 'deep.json', 'notes.txt', 'apiInformation.json'].map((name) => path.join(folder, name)),
    );
    expectSameAnswers(root, units, [deep, productApis], files, 8);
  });
});

describe('ReadAhead with a preparer', () => {
  /**
   * Reads `dirs` ahead with a preparer of the test's own (plain JavaScript, for files named `spec.txt`): the length
   * and text of a file, nothing for a file that says `skip`, a throw for one that says `throw`.
   */
  function readAheadPreparing(root: string, dirs: string[], prepareAhead: number): ReadAhead {
    return new ReadAhead(dirs, 1024, { prepareAhead }, { module: preparer(root), names: ['spec.txt'] });
  }

  function preparer(root: string): string {
    const module = path.join(root, 'preparer.js');
    writeFileSync(
      module,
      `exports.prepare = (bytes) => {
         const text = Buffer.from(bytes).toString();
         if (text.includes('throw')) throw new Error('cannot');
         if (text.includes('skip')) return undefined;
         return { length: bytes.length, text };
       };`,
    );
    return module;
  }

  it('hands over what the preparer made of the files it names, once, with their bytes', () => {
    const { root, dirs } = tree(3);
    writeFileSync(path.join(dirs[0] as string, 'spec.txt'), 'zero');
    writeFileSync(path.join(dirs[1] as string, 'spec.txt'), 'please throw');
    writeFileSync(path.join(dirs[2] as string, 'spec.txt'), 'skip this');
    const ahead = readAheadPreparing(root, dirs, 0);
    try {
      const spec = path.join(dirs[0] as string, 'spec.txt');
      expect(ahead.takePrepared(spec)).toEqual({ length: 4, text: 'zero' });
      expect(ahead.takePrepared(spec)).toBeUndefined(); // handed over once
      expect(ahead.take(spec)?.toString()).toBe('zero'); // the bytes too
      // Only the files it names.
      expect(ahead.takePrepared(path.join(dirs[0] as string, 'apiInformation.json'))).toBeUndefined();
      // A preparer that throws or gives nothing leaves the file to the caller; its bytes are read all the same.
      expect(ahead.takePrepared(path.join(dirs[1] as string, 'spec.txt'))).toBeUndefined();
      expect(ahead.take(path.join(dirs[1] as string, 'spec.txt'))?.toString()).toBe('please throw');
      expect(ahead.takePrepared(path.join(dirs[2] as string, 'spec.txt'))).toBeUndefined();
      expect(ahead.take(path.join(dirs[2] as string, 'apiInformation.json'))?.toString()).toBe('{"n":2}');
    } finally {
      ahead.close();
    }
  });

  it('prepares only while it is the given number of units ahead of the caller', async () => {
    const { root, dirs } = tree(12);
    for (const dir of dirs) writeFileSync(path.join(dir, 'spec.txt'), path.basename(dir));
    const ahead = readAheadPreparing(root, dirs, 8);
    try {
      for (let waited = 0; ahead.sentUnits() < 12 && waited < 10_000; waited += 20) await sleep(20);
      // The caller was at unit 0 while the worker read: units 0-7 were too close to it, 8 and after were not.
      const made = dirs.map((dir) => ahead.takePrepared(path.join(dir, 'spec.txt')) !== undefined);
      expect(made.slice(0, 8)).toEqual(Array(8).fill(false));
      expect(made.slice(8)).toEqual(Array(4).fill(true));
      expect(prepareAheadUnits({ APIM_AUDIT_READ_AHEAD: 'on' })).toBe(0);
      expect(prepareAheadUnits({})).toBe(8);
    } finally {
      ahead.close();
    }
  });

  it('reads every file whole into the blocks it sends, however many and however large (up to the limit)', () => {
    const { dirs } = tree(6);
    // Larger than a batch's first block (160 KiB), and many small ones after it.
    writeFileSync(path.join(dirs[1] as string, 'big.json'), 'b'.repeat(300 * 1024));
    for (let k = 0; k < 50; k++)
      writeFileSync(path.join(dirs[2] as string, `f${k}.xml`), `<f${k}/>`.repeat(k + 1));
    const ahead = new ReadAhead(dirs, 1024 * 1024);
    try {
      expect(ahead.take(path.join(dirs[1] as string, 'big.json'))?.toString()).toBe('b'.repeat(300 * 1024));
      for (let k = 0; k < 50; k++) {
        expect(ahead.take(path.join(dirs[2] as string, `f${k}.xml`))?.toString()).toBe(
          `<f${k}/>`.repeat(k + 1),
        );
      }
      expect(ahead.take(path.join(dirs[5] as string, 'apiInformation.json'))?.toString()).toBe('{"n":5}');
    } finally {
      ahead.close();
    }
  });

  it('loads a preparer from TypeScript sources: the operations of a YAML specification, as the main thread reads them', () => {
    const { dirs } = tree(2);
    const yaml = [
      'openapi: 3.0.1',
      'info:',
      '  title: T',
      '  version: "1"',
      'paths:',
      '  /items:',
      '    get:',
      '      operationId: list-items',
      '      summary: List items',
      '    post:',
      '      summary: No operationId',
      '',
    ].join('\n');
    const spec = path.join(dirs[1] as string, 'specification.yaml');
    writeFileSync(spec, yaml);
    const ahead = new ReadAhead(dirs, 1024 * 1024, { prepareAhead: 0 }, SPEC_AHEAD);
    try {
      const expected = yamlSpecOperations(Buffer.from(yaml), '');
      expect('operations' in expected && expected.operations.length).toBe(2);
      const prepared = ahead.takePrepared(spec) as PackedOperations;
      // Packed to cross threads: the operations the walker reads, with no file name.
      expect(unpackOperations(prepared, '')).toEqual(
        'operations' in expected ? expected.operations : undefined,
      );
      // As the main thread reads it: named after the file, with the same positions.
      const read = yamlSpecOperations(Buffer.from(yaml), 'apis/a/specification.yaml');
      const made = preparedYamlSpec(prepared, Buffer.from(yaml), 'apis/a/specification.yaml');
      expect('operations' in made && made.operations).toEqual('operations' in read && read.operations);
      expect('operations' in made && made.index.locate('/paths/~1items/post')).toEqual(
        'operations' in read && read.index.locate('/paths/~1items/post'),
      );
    } finally {
      ahead.close();
    }
  });
});

describe('readAheadWanted', () => {
  it('reads ahead from the minimum only; APIM_AUDIT_READ_AHEAD=off never, =on always', () => {
    expect(readAheadWanted(10, 64, {})).toBe(false);
    expect(readAheadWanted(5000, 64, { APIM_AUDIT_READ_AHEAD: 'off' })).toBe(false);
    expect(readAheadWanted(1, 64, { APIM_AUDIT_READ_AHEAD: 'on' })).toBe(true);
    expect(readAheadWanted(0, 64, { APIM_AUDIT_READ_AHEAD: 'on' })).toBe(false);
  });
});
