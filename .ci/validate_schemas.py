#!/usr/bin/env python3
"""Validates rule files, sample actions and CLI reports against schemas/ with
a real JSON Schema validator (jsonschema, draft 2020-12). Closes with
`N passed, N failed`; exits 1 on any failure.

YAML is read the way editors (yaml-language-server, YAML 1.2) read it: `on`,
`yes` and dates stay strings."""
import glob, json, os, re, subprocess, sys

import jsonschema
import yaml

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
laurel = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/debug/laurel")


class Yaml12Loader(yaml.SafeLoader):
    pass


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false|True|False|TRUE|FALSE)$"), list("tTfF"))


def schema(name):
    with open(os.path.join(root, "schemas", name + ".schema.json")) as f:
        s = json.load(f)
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAILED:", what)


rules = schema("rules")
for path in sorted(glob.glob(os.path.join(root, "rules", "*.yaml"))) + [
    os.path.join(root, "Tests/LaurelRulesTests/Fixtures/kitchen-sink.yaml")
]:
    with open(path) as f:
        text = f.read()
    if "/rules/" in path:
        check(text.startswith("# yaml-language-server: $schema="), f"{path} starts with the yaml-language-server modeline")
    errors = list(rules.iter_errors(yaml.load(text, Loader=Yaml12Loader)))
    check(not errors, f"{path} matches rules.schema.json: {[e.message for e in errors[:3]]}")

wrong = os.path.join(root, "Tests/LaurelRulesTests/Fixtures/wrong.yaml")
with open(wrong) as f:
    errors = list(rules.iter_errors(yaml.load(f, Loader=Yaml12Loader)))
check(len(errors) >= 2, f"the schema rejects wrong.yaml (found {len(errors)} problems)")
result = subprocess.run([laurel, "validate", wrong], capture_output=True, text=True)
check(result.returncode == 1 and "flor" in result.stderr and "lots" in result.stderr,
      f"laurel validate rejects wrong.yaml: {result.stderr.strip()}")

action = schema("action")
for path in sorted(glob.glob(os.path.join(root, "rules/examples/*-history.jsonl"))):
    bad = [n for n, line in enumerate(open(path), 1) if line.strip() and list(action.iter_errors(json.loads(line)))]
    check(not bad, f"every line of {path} matches action.schema.json (bad lines: {bad[:5]})")

report = schema("simulate-report")
for scheme, history in [("community-points", "community-history"), ("xp-grades-badges", "xp-history")]:
    out = subprocess.run([laurel, "simulate", "--rules", f"rules/{scheme}.yaml", "--events",
                          f"rules/examples/{history}.jsonl", "--format", "json"], cwd=root, capture_output=True, text=True)
    errors = list(report.iter_errors(json.loads(out.stdout))) if out.returncode == 0 else ["exit %d" % out.returncode]
    check(not errors, f"laurel simulate report for {scheme} matches simulate-report.schema.json: {errors[:3]}")

diff_schema = schema("diff-report")
edited = os.path.join(root, ".build", "community-points-edited.yaml")
with open(os.path.join(root, "rules/community-points.yaml")) as f:
    text = f.read().replace("{ name: Builder,     at: 20 }", "{ name: Builder,     at: 12 }")
with open(edited, "w") as f:
    f.write(text)
out = subprocess.run([laurel, "diff", "--from", "rules/community-points.yaml", "--to", edited, "--events",
                      "rules/examples/community-history.jsonl", "--format", "json"], cwd=root, capture_output=True, text=True)
diff = json.loads(out.stdout) if out.returncode == 0 else {}
errors = list(diff_schema.iter_errors(diff)) if diff else ["exit %d: %s" % (out.returncode, out.stderr[-300:])]
check(not errors and diff["summary"]["tier_changed"] > 0, f"laurel diff report matches diff-report.schema.json: {errors[:3]}")
out = subprocess.run([laurel, "diff", "--from", "rules/community-points.yaml", "--to", edited, "--events",
                      "rules/examples/community-history.jsonl", "--format", "html"], cwd=root, capture_output=True, text=True)
page = out.stdout
check(out.returncode == 0 and page.startswith("<!doctype html>") and page.count("<svg") >= 2
      and "<table id=members>" in page and "http" not in page,
      "laurel diff --format html is one self-contained page with charts and a member table")

out = subprocess.run([laurel, "simulate", "--rules", "rules/xp-grades-badges.yaml", "--events",
                      "rules/examples/rejected-actions.jsonl", "--format", "json"], cwd=root, capture_output=True, text=True)
events = json.loads(out.stdout)["events"]
check(events["rejected"] == events["read"] and events["read"] > 0,
      f"every line of rejected-actions.jsonl is rejected by laurel simulate ({events})")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
