#!/usr/bin/env python3
"""Checks tinymlp's build-system manifests (ctests manifest_*).

    check_manifests.py SOURCE_DIR CMAKE_VERSION platformio|zephyr|esp_idf|arduino|versions [PC_FILE]

platformio: library.json against PlatformIO's own schema, tests/buildsys/platformio_library.schema.json
            (jsonschema; see SCHEMAS.md), and no field that schema does not name;
zephyr:     zephyr/module.yml against Zephyr's own schema, tests/buildsys/zephyr_module.schema.yml
            (pykwalify), and the
            CMake and Kconfig files it names;
esp_idf:    idf_component.yml is YAML with the fields the component manager reads;
arduino:    library.properties has the fields of the Arduino library specification (1.5 format);
versions:   every manifest (and the generated tinymlp.pc) names CMakeLists.txt's project version.
Prints what it checked; exits 1 with one line per problem.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def required_lists(schema):
    """PlatformIO's schema marks required properties draft-3 style ("required": true inside the
    property, see SCHEMAS.md); returns it with those booleans turned into the object's list."""
    if isinstance(schema, list):
        return [required_lists(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: required_lists(value) for key, value in schema.items() if not (key == "required" and not isinstance(value, list))}
    properties = schema.get("properties")
    if isinstance(properties, dict):
        names = [name for name, sub in properties.items()
                 if isinstance(sub, dict) and sub.get("required") in (True, "true")]
        if names:
            out["required"] = names
    return out


def check_platformio(root, problems):
    import jsonschema

    manifest = json.loads(read(os.path.join(root, "library.json")))
    schema = required_lists(json.loads(read(os.path.join(HERE, "platformio_library.schema.json"))))
    for error in jsonschema.Draft202012Validator(schema).iter_errors(manifest):
        problems.append("library.json: %s: %s" % ("/".join(map(str, error.path)) or "(top)", error.message))
    for key in manifest:
        if key not in schema["properties"]:
            problems.append("library.json: '%s' is not a field of PlatformIO's library.json" % key)
    build = manifest.get("build", {})
    include_dir = build.get("includeDir", "")
    if not os.path.isfile(os.path.join(root, include_dir, "tinymlp", "tinymlp.hpp")):
        problems.append("library.json: build.includeDir '%s' does not hold tinymlp/tinymlp.hpp" % include_dir)
    flags = build.get("flags", [])
    if "-std=gnu++17" not in (flags if isinstance(flags, list) else flags.split()):
        problems.append("library.json: build.flags must set -std=gnu++17")


def check_zephyr(root, problems):
    from pykwalify.core import Core
    from pykwalify.errors import SchemaError

    module = os.path.join(root, "zephyr", "module.yml")
    core = Core(source_file=module, schema_files=[os.path.join(HERE, "zephyr_module.schema.yml")])
    try:
        core.validate(raise_exception=True)
    except SchemaError as error:
        problems.append("zephyr/module.yml: %s" % error.msg)
        return
    build = core.source.get("build") or {}
    if "cmake" not in build or "kconfig" not in build:
        problems.append("zephyr/module.yml: build.cmake and build.kconfig must name tinymlp's CMake and Kconfig files")
        return
    cmake_lists = os.path.join(root, build["cmake"], "CMakeLists.txt")
    kconfig = os.path.join(root, build["kconfig"])
    for path in (cmake_lists, kconfig):
        if not os.path.isfile(path):
            problems.append("zephyr/module.yml names %s, which does not exist" % os.path.relpath(path, root))
            return
    text = read(kconfig)
    if not re.search(r"^config TINYMLP$", text, re.M):
        problems.append("zephyr/Kconfig: no 'config TINYMLP'")
    if not re.search(r"^\s*depends on CPP$", text, re.M) or "STD_CPP17" not in text:
        problems.append("zephyr/Kconfig: TINYMLP must depend on CPP and STD_CPP17")
    text = read(cmake_lists)
    if "if(CONFIG_TINYMLP)" not in text or "zephyr_interface_library_named(tinymlp)" not in text:
        problems.append("zephyr/CMakeLists.txt: no tinymlp interface library under CONFIG_TINYMLP")
    match = re.search(r"target_include_directories\(tinymlp INTERFACE \$\{CMAKE_CURRENT_LIST_DIR\}/([^)\s]+)\)", text)
    if not match or not os.path.isfile(
            os.path.join(os.path.dirname(cmake_lists), match.group(1), "tinymlp", "tinymlp.hpp")):
        problems.append("zephyr/CMakeLists.txt: the include directory does not hold tinymlp/tinymlp.hpp")
    if "cxx_std_17" not in text:
        problems.append("zephyr/CMakeLists.txt: tinymlp must require cxx_std_17")


def check_esp_idf(root, problems):
    import yaml

    manifest = yaml.safe_load(read(os.path.join(root, "idf_component.yml")))
    if not isinstance(manifest, dict):
        problems.append("idf_component.yml: not a YAML mapping")
        return
    known = {"version", "description", "url", "repository", "documentation", "issues", "discussion",
             "maintainers", "license", "tags", "dependencies", "files", "targets", "examples"}
    for key in manifest:
        if key not in known:
            problems.append("idf_component.yml: unknown field '%s'" % key)
    for key in ("version", "description", "url"):
        if not isinstance(manifest.get(key), str) or not manifest[key]:
            problems.append("idf_component.yml: '%s' must be a non-empty string" % key)
    deps = manifest.get("dependencies", {})
    if not isinstance(deps, dict) or not isinstance(deps.get("idf"), str):
        problems.append("idf_component.yml: dependencies.idf must name the ESP-IDF versions")
    for key in ("tags",):
        if key in manifest and not all(isinstance(t, str) for t in manifest[key]):
            problems.append("idf_component.yml: '%s' must be a list of strings" % key)


ARDUINO_REQUIRED = ("name", "version", "author", "maintainer", "sentence", "paragraph", "category", "url",
                    "architectures")
ARDUINO_CATEGORIES = ("Display", "Communication", "Signal Input/Output", "Sensors", "Device Control", "Timing",
                      "Data Storage", "Data Processing", "Other")


def arduino_properties(root):
    fields = {}
    for line in read(os.path.join(root, "library.properties")).splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            fields[key.strip()] = value.strip()
    return fields


def check_arduino(root, problems):
    fields = arduino_properties(root)
    for key in ARDUINO_REQUIRED:
        if not fields.get(key):
            problems.append("library.properties: '%s' is missing or empty" % key)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.-]*", fields.get("name", "")):
        problems.append("library.properties: name has characters the specification does not allow")
    if fields.get("category") not in ARDUINO_CATEGORIES:
        problems.append("library.properties: category '%s' is not one of Arduino's" % fields.get("category"))
    for header in filter(None, (h.strip() for h in fields.get("includes", "").split(","))):
        if not os.path.isfile(os.path.join(root, "src", header)):
            problems.append("library.properties: includes names src/%s, which does not exist" % header)


def manifest_versions(root, pc_file):
    import yaml

    versions = {
        "library.json": json.loads(read(os.path.join(root, "library.json"))).get("version"),
        "library.properties": arduino_properties(root).get("version"),
        "idf_component.yml": str(yaml.safe_load(read(os.path.join(root, "idf_component.yml"))).get("version")),
    }
    if pc_file:
        match = re.search(r"^Version:\s*(\S+)", read(pc_file), re.M)
        versions[os.path.basename(pc_file)] = match.group(1) if match else None
    return versions


def main(argv):
    if len(argv) < 4:
        print(__doc__)
        return 2
    root, version, what = argv[1], argv[2], argv[3]
    problems = []
    if what == "platformio":
        check_platformio(root, problems)
    elif what == "zephyr":
        check_zephyr(root, problems)
    elif what == "esp_idf":
        check_esp_idf(root, problems)
    elif what == "arduino":
        check_arduino(root, problems)
    elif what == "versions":
        for name, found in manifest_versions(root, argv[4] if len(argv) > 4 else None).items():
            print("%-20s %s" % (name, found))
            if found != version:
                problems.append("%s names version %s, CMakeLists.txt project(VERSION %s)" % (name, found, version))
    else:
        print("unknown check '%s'" % what)
        return 2
    for problem in problems:
        print("FAIL " + problem)
    if problems:
        return 1
    print("%s: OK" % what)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
