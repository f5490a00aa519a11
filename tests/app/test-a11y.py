#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Accessibility smoke test: the real planwright binary, driven through AT-SPI.

Runs itself inside a D-Bus session of its own with the accessibility bus
started, launches the app (on the X display the suite runs under), finds
the control named "New session" (or "New Session") through pyatspi,
activates it and checks that the new-session dialog appears.

Usage: test-a11y.py PATH-TO-PLANWRIGHT
Exit status: 0 pass, 77 skip (the control is not built yet), else fail.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

NAMES = ("New session", "New Session")
INNER = "PW_A11Y_INNER"


def log(*args):
    print("# " + " ".join(str(a) for a in args), flush=True)


def wait_for(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def walk(node, depth=0, limit=60):
    """Every accessible under node (depth first), tolerating dead ones."""
    if node is None or depth > limit:
        return
    yield node
    try:
        count = node.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, limit)


def find_app(pyatspi, pid):
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        try:
            app = desktop.getChildAtIndex(i)
            if app is not None and app.get_process_id() == pid:
                return app
        except Exception:
            continue
    return None


def toplevels(app):
    result = []
    for i in range(app.childCount):
        try:
            child = app.getChildAtIndex(i)
        except Exception:
            continue
        if child is not None:
            result.append(child)
    return result


def describe(acc):
    try:
        return "%s %r" % (acc.getRoleName(), acc.name)
    except Exception:
        return "?"


def inner(binary):
    tmp = tempfile.mkdtemp(prefix="pw-a11y-")
    procs = []
    try:
        # The accessibility bus of this session; GTK finds it through
        # org.a11y.Bus on the session bus.
        procs.append(subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"]))
        ok = wait_for(lambda: subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus",
             "/org/a11y/bus", "org.a11y.Bus.GetAddress"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0, 10)
        if not ok:
            log("the accessibility bus did not start")
            return 1

        import pyatspi  # only now: it connects to the bus on import

        env = dict(os.environ)
        env.pop("GTK_A11Y", None)
        env.pop(INNER, None)
        env.update({
            "GDK_BACKEND": "x11",
            "PLANWRIGHT_DB": os.path.join(tmp, "planwright.db"),
            "HOME": tmp,
            "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
            "XDG_DATA_HOME": os.path.join(tmp, "data"),
            "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
            "XDG_STATE_HOME": os.path.join(tmp, "state"),
            "GSETTINGS_BACKEND": "memory",
            "GTK_USE_PORTAL": "0",
            # Keys present, pointing nowhere: no first-run page in the way,
            # and nothing leaves the machine.
            "ANTHROPIC_API_KEY": "sk-ant-fake",
            "OPENAI_API_KEY": "sk-fake",
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
            "OPENAI_BASE_URL": "http://127.0.0.1:9",
        })
        app_proc = subprocess.Popen([binary], env=env)
        procs.append(app_proc)

        app = wait_for(lambda: find_app(pyatspi, app_proc.pid), 20, 0.2)
        if app is None:
            log("planwright (pid %d) did not appear on the accessibility bus" % app_proc.pid)
            return 1
        log("application on the bus:", repr(app.name))
        wait_for(lambda: len(toplevels(app)) >= 1, 10)
        main_windows = toplevels(app)
        log("toplevels before:", [describe(w) for w in main_windows])

        # A control, not the label inside it: something a person presses
        pressable = ("push button", "toggle button", "menu item", "list item", "button")

        def find_control():
            for node in walk(app):
                try:
                    if node.name in NAMES and node.getRoleName() in pressable:
                        return node
                except Exception:
                    continue
            return None

        control = wait_for(find_control, 5, 0.2)
        if control is None:
            named = [describe(n) for n in walk(app) if n is not None and n.name in NAMES]
            buttons = [describe(n) for n in walk(app)
                       if n is not None and n.getRoleName() in pressable]
            log("no control named %s; buttons: %s" % (" or ".join(map(repr, NAMES)), buttons))
            if named:
                # The text is there, but not as the name of a control
                log("only these carry the name:", named)
                return 1
            return 77
        log("found:", describe(control), "(the app says %r)" % control.name)

        action = control.queryAction()
        log("actions:", [action.getName(i) for i in range(action.nActions)])
        if action.nActions < 1 or not action.doAction(0):
            log("doAction(0) failed")
            return 1

        def dialog():
            before = {id(w) for w in main_windows}
            for w in toplevels(app):
                try:
                    role = w.getRoleName()
                except Exception:
                    continue
                if role in ("dialog", "alert", "file chooser") or (
                        role in ("frame", "window") and w.name != main_windows[0].name):
                    return w
            return None

        found = wait_for(dialog, 10, 0.2)
        if found is None:
            log("no dialog after activating; toplevels:", [describe(w) for w in toplevels(app)])
            return 1
        log("dialog:", describe(found))
        return 0
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    if os.environ.get(INNER) != "1":
        # A private session bus, so the accessibility bus is ours alone
        env = dict(os.environ, **{INNER: "1"})
        return subprocess.run(["dbus-run-session", "--", sys.executable, os.path.abspath(__file__), binary],
                              env=env).returncode
    return inner(binary)


if __name__ == "__main__":
    sys.exit(main())
