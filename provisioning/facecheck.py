"""``python -m provisioning facecheck ID_PHOTO LIVE_PHOTO [--threshold T] [--json]``: compares two photographs
as the kiosk's 人证核验 does (the same engine, descriptor and default threshold), for a technician checking a
camera's pictures or a region's threshold.

Exit 0: the same person (distance <= threshold); 1: not the same person; 2: one of the photographs does not
show exactly one face (the message and the JSON's "error" say which); 3: a photograph cannot be read or the
face engine is not installed. Prints the numbers only: no descriptor, no landmarks.
"""
from __future__ import annotations

import json
import sys

from PIL import Image, UnidentifiedImageError

EXIT_MATCH, EXIT_NO_MATCH, EXIT_NO_SINGLE_FACE, EXIT_UNUSABLE = 0, 1, 2, 3


def facecheck(args) -> int:
    from kiosk.faces import engine as face_engine
    from kiosk.faces.verify import DEFAULT_THRESHOLD, single_face_descriptor
    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    engine = face_engine.shared()
    if not engine.installed:
        print(engine.status, file=sys.stderr)
        return EXIT_UNUSABLE
    found = {}
    for role, path in (("id_photo", args.id_photo), ("live_photo", args.live_photo)):
        try:
            with Image.open(path) as image:
                found[role] = single_face_descriptor(engine, image)
        except (OSError, UnidentifiedImageError) as exc:
            print(f"cannot read {role} {path}: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    (id_faces, id_descriptor), (live_faces, live_descriptor) = found["id_photo"], found["live_photo"]
    out = {"faces": live_faces, "id_faces": id_faces, "match": False, "score": None, "threshold": threshold}
    if id_descriptor is None or live_descriptor is None:
        which = "ID_PHOTO" if id_descriptor is None else "LIVE_PHOTO"
        count = id_faces if id_descriptor is None else live_faces
        out["error"] = f"{which} shows {count} faces, not one"
        code = EXIT_NO_SINGLE_FACE
    else:
        score = face_engine.distance(id_descriptor, live_descriptor)
        out |= {"match": score <= threshold, "score": round(score, 4)}
        code = EXIT_MATCH if out["match"] else EXIT_NO_MATCH
    if args.json:
        print(json.dumps(out))
    else:
        print(out.get("error") or f"{'same person' if out['match'] else 'NOT the same person'}: "
              f"distance {out['score']:.3f} (threshold {threshold:g}); faces: ID photo {id_faces}, live {live_faces}")
    return code


def add_parser(sub) -> None:
    q = sub.add_parser("facecheck", help="compare the face on an ID photo with a live photo")
    q.add_argument("id_photo", metavar="ID_PHOTO")
    q.add_argument("live_photo", metavar="LIVE_PHOTO")
    q.add_argument("--threshold", type=float, help="largest distance that is the same person (default: the kiosk's)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run=facecheck)
