"""Validates Tally event bodies against the schemas in this folder (needs `jsonschema`).

    python3 validate.py                 # every schema is valid draft 2020-12, every sample matches
                                        # its schema, and ../catalog.json lists exactly these types
    python3 validate.py BODIES...       # files of event bodies, one JSON object per line, each
                                        # checked against the schema of its `type`

Exit status 0 when everything validates; each problem is printed otherwise."""
import json
import sys
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

FOLDER = Path(__file__).resolve().parent


def load_validators():
    validators = {}
    for path in sorted(FOLDER.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        validators[schema["title"]] = Draft202012Validator(schema, format_checker=FormatChecker())
    return validators


def problems_of(validators, body, where):
    event_type = body.get("type") if isinstance(body, dict) else None
    if event_type not in validators:
        return [f"{where}: unknown event type {event_type!r}"]
    return [f"{where}: {'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
            for error in validators[event_type].iter_errors(body)]


def check_folder(validators):
    problems = []
    for event_type in validators:
        sample = json.loads((FOLDER / f"{event_type}.sample.json").read_text(encoding="utf-8"))
        problems += problems_of(validators, sample, f"{event_type}.sample.json")
    catalog = json.loads((FOLDER.parent / "catalog.json").read_text(encoding="utf-8"))
    listed = [entry["type"] for entry in catalog["events"]]
    if sorted(listed) != sorted(validators):
        problems.append(f"catalog.json lists {sorted(listed)}, the folder has {sorted(validators)}")
    for entry in catalog["events"]:
        for key in ("schema", "sample"):
            if not (FOLDER.parent / entry[key]).is_file():
                problems.append(f"catalog.json: {entry[key]} does not exist")
    return problems, len(validators)


def check_bodies(validators, paths):
    problems, count = [], 0
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                count += 1
                problems += problems_of(validators, json.loads(line), f"{path}:{number}")
    return problems, count


def main(arguments):
    validators = load_validators()
    problems, count = check_bodies(validators, arguments) if arguments else check_folder(validators)
    for problem in problems:
        print(problem)
    print(f"{count} checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
