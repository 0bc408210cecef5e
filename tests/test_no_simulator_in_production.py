"""No production module imports a simulator: the flows, screens, the runtime core, the backend client, the
security modules and the device drivers get devices from kiosk.wiring, which takes simulators only from
kiosk.simulated and only when the config says "sim". An AST scan, so an import inside a function counts."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "kiosk"
SIMULATOR_MODULES = {"kiosk.hw.idreader.simulator", "kiosk.hw.printer.simulator", "kiosk.hw.cardissuer.simulator",
                     "kiosk.hw.cardissuer.station", "kiosk.hw.camera", "kiosk.hw.camera.simulated",
                     "kiosk.hw.cardreader.virtualcard",
                     "kiosk.hw.cardreader.vpcd", "kiosk.hw.cardreader.inprocess", "kiosk.simulated",
                     "kiosk.demo"}
SIMULATOR_NAMES = {"SimulatedCamera", "SimulatedFacePrinter", "SimulatedStation", "SimulatorHands", "VirtualCard",
                   "VpcdBridge", "InProcessReader", "IssuerSimulator", "IdReaderSimulator", "PrinterSimulator",
                   "SimulatedPhotoDecoder"}
# the one module allowed to choose the simulators, and only through kiosk.simulated
ALLOWED = {"wiring.py": {"kiosk.simulated"}}
NOT_PRODUCTION = {"simulated.py", "demo.py"}      # the simulators' wiring and the demo citizens' data
# hw/camera/__init__.py: the package re-exports SimulatedCamera (lazily) for old callers; its driver is
# hw/camera/opencv.py, imported by kiosk.wiring as kiosk.hw.camera.opencv
SIMULATORS = {"hw/camera/__init__.py", "hw/camera/simulated.py", "hw/idreader/simulator.py", "hw/printer/simulator.py", "hw/cardissuer/simulator.py",
              "hw/cardissuer/station.py", "hw/cardreader/virtualcard.py", "hw/cardreader/vpcd.py",
              "hw/cardreader/inprocess.py"}


def production_modules():
    core = [p for p in ROOT.glob("*.py") if p.name not in NOT_PRODUCTION]
    parts = [*ROOT.glob("flows/**/*.py"), *ROOT.glob("screens/**/*.py"), *ROOT.glob("security/**/*.py"),
             ROOT / "backend" / "client.py", ROOT / "backend" / "auth.py"]
    drivers = [p for p in ROOT.glob("hw/**/*.py") if p.relative_to(ROOT).as_posix() not in SIMULATORS]
    return sorted(core + parts + drivers)


def simulator_imports(path: pathlib.Path) -> list[str]:
    where = path.relative_to(ROOT).as_posix()
    return imports_in(path.read_text(encoding="utf-8"), where, ALLOWED.get(where, set()))


def imports_in(source: str, where: str, allowed=frozenset()) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules, names = [a.name for a in node.names], []
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            names = [a.name for a in node.names]
        else:
            continue
        found += [f"{where}:{node.lineno} imports {m}" for m in modules
                  if m in SIMULATOR_MODULES and m not in allowed]
        found += [f"{where}:{node.lineno} imports {n}" for n in names if n in SIMULATOR_NAMES]
    return found


def test_the_scan_covers_the_production_modules():
    names = {p.relative_to(ROOT).as_posix() for p in production_modules()}
    assert {"runtime.py", "wiring.py", "flows/issuance.py", "flows/replacement.py", "screens/driver.py",
            "security/module.py", "backend/client.py", "hw/cardreader/readers.py", "hw/cardissuer/issuer.py",
            "hw/camera/opencv.py", "hw/idreader/photo.py"} <= names
    assert "simulated.py" not in names


def test_the_scan_finds_an_import_inside_a_function():
    source = "def f():\n    from kiosk.hw.camera import SimulatedCamera\n    import kiosk.simulated\n"
    assert len(imports_in(source, "screens/x.py")) == 3
    assert len(imports_in(source, "wiring.py", ALLOWED["wiring.py"])) == 2


def test_no_production_module_imports_a_simulator():
    found = [hit for path in production_modules() for hit in simulator_imports(path)]
    assert not found, "simulators imported outside kiosk.simulated:\n" + "\n".join(found)
