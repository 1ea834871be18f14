// Face selection on the labelled photos of ../shared/data (faces-* folders and the insightface group photo): which
// multi-face photos are used or refused, and whether a used face is the labelled person. Identities are read from
// folder and file names and deepface's identities_derived.csv; a used face's identity is its best match (cosine
// ≥ 0.34, the 1:1 threshold) among the single-face labelled photos.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pickSingleFace } from '../../dist/domain/pools/enrolment-gate.js';

const FOLDERS = [
  'faces-deepface',
  'faces-face_recognition',
  'faces-faceapi-bbt',
  'faces-misc-singletons',
  'faces-openface',
  'hard-inspireface/insightface_pkg',
];

function label(data, path, deepface) {
  const rel = path.slice(data.length + 1);
  const [folder, sub] = rel.split('/');
  const file = basename(path);
  if (folder === 'faces-deepface')
    return file === 'img11_reflection.jpg'
      ? 'deepface:id00'
      : deepface.has(file)
        ? `deepface:${deepface.get(file)}`
        : null;
  if (folder === 'faces-faceapi-bbt') return sub === 'group' ? null : `bbt:${sub}`;
  if (folder === 'faces-face_recognition') {
    if (sub === 'train') return `fr:${rel.split('/')[2]}`;
    const known = {
      'alex_lacamoire1.jpg': 'alex_lacamoire',
      'johnsnow_test1.jpg': 'kit_harington',
      'obama1.jpg': 'obama',
    };
    if (known[file]) return `fr:${known[file]}`;
    return /^obama/.test(file) ? 'fr:obama' : /^alex/.test(file) ? 'fr:alex_lacamoire' : null;
  }
  // deepface's id00 cluster is Angelina Jolie.
  if (folder === 'faces-misc-singletons')
    return rel.includes('angelina_jolie') ? 'deepface:id00' : `misc:${rel.split('/').at(-2)}`;
  if (folder === 'faces-openface') return file.startsWith('longoria') ? null : `openface:${file.split(/[-.]/)[0]}`;
  return null;
}

export async function sharedGroupPhotos(engine, data, policy) {
  if (!existsSync(join(data, 'faces-deepface'))) return null;
  const deepface = new Map(
    readFileSync(join(data, 'faces-deepface', 'identities_derived.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')),
  );
  const files = [];
  const walk = (dir) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(jpe?g|png|webp)$/i.test(f)) files.push(p);
    }
  };
  for (const f of FOLDERS) if (existsSync(join(data, f))) walk(join(data, f));
  const photos = [];
  for (const path of files) {
    try {
      photos.push({
        path,
        label: label(data, path, deepface),
        analysis: await engine.analyse(readFileSync(path), { liveness: false }),
      });
    } catch {
      // unreadable files (a WebP named .jpg among them) are not what this measures
    }
  }
  const references = photos.filter((p) => p.label && p.analysis.faces.length === 1);
  const identify = (photo, embedding) => {
    let best = { label: null, score: -1 };
    for (const r of references) {
      if (r === photo) continue;
      let s = 0;
      const e = r.analysis.faces[0].embedding;
      for (let i = 0; i < e.length; i++) s += e[i] * embedding[i];
      if (s > best.score) best = { label: r.label, score: s };
    }
    return best.score >= 0.34 ? best.label : null;
  };
  const rows = [];
  for (const p of photos.filter((x) => x.analysis.faces.length > 1)) {
    const row = { photo: p.path.slice(data.length + 1), faces: p.analysis.faces.length, label: p.label };
    for (const choice of ['single', 'dominant']) {
      const v = pickSingleFace(p.analysis, policy, choice);
      row[choice] = 'refusal' in v ? v.refusal : `used ${identify(p, v.face.embedding) ?? 'an unknown face'}`;
    }
    rows.push(row);
  }
  const count = (choice, test) => rows.filter((r) => test(r[choice], r)).length;
  const summary = Object.fromEntries(
    ['single', 'dominant'].map((choice) => [
      choice,
      {
        refused: count(choice, (v) => v === 'MULTIPLE_FACES_DETECTED'),
        used_labelled_person: count(choice, (v, r) => r.label !== null && v === `used ${r.label}`),
        used_other_face: count(choice, (v, r) => v.startsWith('used') && (r.label === null || v !== `used ${r.label}`)),
      },
    ]),
  );
  return { photos: photos.length, multi_face_photos: rows.length, summary, rows };
}
