#!/usr/bin/env bash
# Refreshes the vendored front-end files in wwwroot/lib/<package>/ from the pinned
# versions in .config/frontend/libs.json, using `npm pack` (no node_modules, no lockfile).
# Needs node, npm and tar; building or running the app needs none of them, because the
# output is committed. Safe to re-run: the same manifest gives byte-identical files.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
manifest="$here/libs.json"
lib="$root/wwwroot/lib"

for tool in node npm tar; do
    command -v "$tool" >/dev/null 2>&1 || { echo "refresh.sh: '$tool' is required" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Validate the manifest and flatten it to tab-separated lines:
#   P <name> <version> <integrity> <license>
#   F <name> <source path in package> <destination under wwwroot/lib/<name>/>
plan="$(node -e '
const fs = require("fs");
const file = process.argv[1];
const fail = (msg) => { console.error(`refresh.sh: ${file}: ${msg}`); process.exit(1); };
let m;
try { m = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { fail(e.message); }
if (!m || !Array.isArray(m.packages) || m.packages.length === 0) fail("\"packages\" must be a non-empty array");
const nameRe = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const versionRe = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;      // exact versions only, no ranges
const integrityRe = /^sha512-[A-Za-z0-9+\/]+={0,2}$/;
const safePath = (p) => typeof p === "string" && p.length > 0 && !p.startsWith("/") &&
    !/[\\\t\n\r]/.test(p) && p.split("/").every((s) => s !== "" && s !== "." && s !== "..");
const seen = new Set();
const out = [];
for (const p of m.packages) {
    const where = `package ${JSON.stringify(p && p.name)}`;
    if (!p || !nameRe.test(p.name || "")) fail(`${where}: invalid "name"`);
    if (seen.has(p.name)) fail(`${where}: listed twice`);
    seen.add(p.name);
    if (!versionRe.test(p.version || "")) fail(`${where}: "version" must be an exact version, got ${JSON.stringify(p.version)}`);
    if (!integrityRe.test(p.integrity || "")) fail(`${where}: "integrity" must be the sha512 dist.integrity (npm view ${p.name}@${p.version} dist.integrity)`);
    if (!safePath(p.license)) fail(`${where}: "license" must be a relative path inside the package`);
    const files = p.files && typeof p.files === "object" && !Array.isArray(p.files) ? Object.entries(p.files) : [];
    if (files.length === 0) fail(`${where}: "files" must be a non-empty object { "path/in/package": "path/under/wwwroot/lib/<name>" }`);
    const licenseDest = p.license.split("/").pop();
    const dests = new Set(["VERSION", licenseDest]);
    out.push(["P", p.name, p.version, p.integrity, p.license].join("\t"));
    for (const [src, dest] of files) {
        if (!safePath(src)) fail(`${where}: invalid source path ${JSON.stringify(src)}`);
        if (!safePath(dest)) fail(`${where}: invalid destination path ${JSON.stringify(dest)}`);
        if (dests.has(dest)) fail(`${where}: destination ${JSON.stringify(dest)} is used twice (VERSION and ${licenseDest} are reserved)`);
        dests.add(dest);
        out.push(["F", p.name, src, dest].join("\t"));
    }
}
process.stdout.write(out.join("\n") + "\n");
' "$manifest")"

sha512_of() {
    node -e 'process.stdout.write("sha512-" + require("crypto").createHash("sha512")
        .update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# Phase 1: download, verify and stage every package; wwwroot/lib is untouched if anything fails.
stage="$work/stage"
names=()
while IFS=$'\t' read -r kind a b c d; do
    case "$kind" in
    P)
        name="$a" version="$b" integrity="$c" license="$d"
        names+=("$name")
        dl="$work/dl/${#names[@]}"
        mkdir -p "$dl/x"
        echo "== $name@$version"
        (cd "$dl" && npm pack "$name@$version" --ignore-scripts --loglevel=error --pack-destination . >/dev/null)
        tgz=("$dl"/*.tgz)
        [[ ${#tgz[@]} -eq 1 && -f "${tgz[0]}" ]] || { echo "refresh.sh: npm pack gave no single tarball for $name@$version" >&2; exit 1; }
        actual="$(sha512_of "${tgz[0]}")"
        if [[ "$actual" != "$integrity" ]]; then
            echo "refresh.sh: $name@$version: integrity mismatch" >&2
            echo "  manifest: $integrity" >&2
            echo "  tarball:  $actual" >&2
            exit 1
        fi
        tar -xzf "${tgz[0]}" -C "$dl/x"
        pkg="$dl/x/package"
        got="$(node -e 'const p=require(process.argv[1]); process.stdout.write(p.name + "@" + p.version)' "$pkg/package.json")"
        [[ "$got" == "$name@$version" ]] || { echo "refresh.sh: expected $name@$version, tarball is $got" >&2; exit 1; }
        [[ -f "$pkg/$license" ]] || { echo "refresh.sh: $name@$version has no license file '$license'" >&2; exit 1; }
        dest_dir="$stage/$name"
        mkdir -p "$dest_dir"
        install -m 0644 "$pkg/$license" "$dest_dir/${license##*/}"
        printf '%s\n' "$version" > "$dest_dir/VERSION"
        chmod 0644 "$dest_dir/VERSION"
        ;;
    F)
        src="$b" dest="$c"
        [[ -f "$pkg/$src" ]] || { echo "refresh.sh: $name@$version has no file '$src'" >&2; exit 1; }
        install -D -m 0644 "$pkg/$src" "$stage/$name/$dest"
        ;;
    esac
done <<< "$plan"

# Phase 2: replace each package folder wholesale, so files dropped from the manifest disappear.
mkdir -p "$lib"
for name in "${names[@]}"; do
    rm -rf "${lib:?}/$name"
    mkdir -p "$(dirname "$lib/$name")"
    cp -R "$stage/$name" "$lib/$name"
    echo "   wwwroot/lib/$name/: $(cd "$lib/$name" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')"
done

# Folders in wwwroot/lib that the manifest does not know about are reported, never deleted.
for dir in "$lib"/*/; do
    [[ -d "$dir" ]] || continue
    top="$(basename "$dir")"
    known=false
    for name in "${names[@]}"; do
        [[ "$name" == "$top" || "$name" == "$top/"* ]] && known=true
    done
    $known || echo "refresh.sh: warning: wwwroot/lib/$top/ is not in libs.json (left as is)" >&2
done
