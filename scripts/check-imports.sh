#!/usr/bin/env bash
# The module table in docs/ARCHITECTURE.md against the code: each module's `import` lines of
# Weir's own modules must be exactly what the table's "imports" column says, and no engine
# module but SQLConnectors may import the Kafka client. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import os, re, sys

ours = {name for name in os.listdir("Sources") if os.path.isdir(os.path.join("Sources", name))}
imported = {}
for module in sorted(ours):
    found = set()
    for folder, _, files in os.walk(os.path.join("Sources", module)):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(folder, name)) as source:
                    found |= set(re.findall(r"^(?:@testable )?import (\w+)", source.read(), re.M))
    imported[module] = found & ours

documented = {}
with open("docs/ARCHITECTURE.md") as doc:
    for line in doc:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`\w+`", cells[0]):
            documented[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))

problems = []
for module, found in sorted(imported.items()):
    if not any(name.endswith(".swift") for _, _, files in os.walk(os.path.join("Sources", module)) for name in files):
        continue  # a C module: its headers say what it uses
    if module not in documented:
        problems.append(f"{module} is not in the module table of docs/ARCHITECTURE.md")
        continue
    if found - documented[module]:
        problems.append(f"{module} imports {', '.join(sorted(found - documented[module]))}, which the table does not list")
    if documented[module] - found:
        problems.append(f"the table says {module} imports {', '.join(sorted(documented[module] - found))}, which it does not")
for module in ("SQLValues", "SQLPlanner", "SQLRuntime", "StreamSQL"):
    if imported.get(module, set()) & {"KafkaClient", "KafkaProtocol", "KafkaBroker"}:
        problems.append(f"{module} imports Kafka: only SQLConnectors speaks Kafka in the engine")
for problem in problems:
    print("check-imports:", problem)
sys.exit(1 if problems else 0)
PY
echo "check-imports: the module table and the import lines agree"
