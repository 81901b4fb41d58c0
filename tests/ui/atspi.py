"""Small helpers to drive the real Epistle window over AT-SPI (pyatspi).

Everything polls with a deadline; nothing sleeps blindly for long.
"""

import os
import subprocess
import time

import pyatspi

DEFAULT_TIMEOUT = 20.0

# Deadlines are limits, not waits: a sanitized build runs the window a few
# times slower, so every deadline stretches by the factor meson's
# --timeout-multiplier gives the whole test there.
TIME_SCALE = 3.0 if "ASAN_OPTIONS" in os.environ else 1.0


def wait_until(predicate, what, timeout=DEFAULT_TIMEOUT, interval=0.1):
    timeout *= TIME_SCALE
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # the tree changes under us; try again
            last_error = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}"
                         + (f" (last error: {last_error})" if last_error else ""))


def find_app(name, timeout=DEFAULT_TIMEOUT):
    def look():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == name:
                return app
        return None
    return wait_until(look, f"the application {name!r} on the accessibility bus", timeout)


def is_visible(node):
    # GTK 4.8 reports "visible" (the widget's own flag) but not "showing".
    try:
        return node.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def _search(node, match, showing_only):
    if node is None:
        return None
    try:
        if match(node) and (not showing_only or is_visible(node)):
            return node
        for i in range(node.childCount):
            found = _search(node.getChildAtIndex(i), match, showing_only)
            if found is not None:
                return found
    except Exception:
        return None
    return None


def find(root, name, role=None, timeout=DEFAULT_TIMEOUT, showing=False, contains=False,
         match_extra=None):
    """The first object named @name (and with role @role) under @root.
    With @contains, the name only has to contain @name (GTK 4.8 names some
    buttons "_Label Label")."""
    def match(n):
        named = (name in n.name) if contains else (n.name == name)
        return (named and (role is None or n.getRoleName() == role)
                and (match_extra is None or match_extra(n)))
    return wait_until(lambda: _search(root, match, showing),
                      f"{role or 'object'} {name!r}", timeout)


def find_all(root, match):
    out = []

    def walk(n):
        try:
            if match(n):
                out.append(n)
            for i in range(n.childCount):
                walk(n.getChildAtIndex(i))
        except Exception:
            pass
    walk(root)
    return out


def text_of_labels(node):
    return [n.name for n in find_all(node, lambda n: n.getRoleName() == "label")]


def click(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ("click", "activate", "press", "toggle"):
            action.doAction(i)
            return
    action.doAction(0)


def click_pointer(node):
    """A real pointer click (XTEST) in the middle of @node, for widgets that
    expose no action (GTK 4.8's AdwComboRow). Without a window manager the
    main window sits at the top left of the X screen, so its window
    coordinates are the screen's (not so for a popover, a surface of its
    own)."""
    ext = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    assert ext.width > 0 and ext.height > 0, f"{node.name} has no size"
    click_at(ext.x + ext.width // 2, ext.y + ext.height // 2)


def click_at(x, y):
    """A pointer click at @x, @y of the X screen."""
    from gi.repository import Atspi
    Atspi.generate_mouse_event(x, y, "b1c")


def set_text(node, text):
    node.queryEditableText().setTextContents(text)


def get_text(node):
    t = node.queryText()
    return t.getText(0, t.characterCount)


def is_sensitive(node):
    # GTK 4.8 exposes "sensitive" but not "enabled".
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


def screenshot(path):
    subprocess.run(["import", "-window", "root", path], check=False, timeout=20)


def _keycode(keysym):
    """The X keycode the server's keymap gives @keysym (a name: "Return",
    "Control_L"), through libX11 on $DISPLAY; 0 if it has none."""
    import ctypes
    import ctypes.util
    global _x11, _xdisplay
    if _xdisplay is None:
        _x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        _x11.XOpenDisplay.restype = ctypes.c_void_p
        _x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        _x11.XStringToKeysym.restype = ctypes.c_ulong
        _x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
        _x11.XKeysymToKeycode.restype = ctypes.c_ubyte
        _x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        _xdisplay = _x11.XOpenDisplay(None)
        assert _xdisplay, "no X display to look keycodes up in"
    sym = _x11.XStringToKeysym(keysym.encode())
    assert sym, f"{keysym!r} is not an X keysym name"
    return _x11.XKeysymToKeycode(_xdisplay, sym)


_x11 = None
_xdisplay = None


def press(keysym, *modifiers):
    """Types @keysym (an X keysym name: "Return", "3", "Tab") with
    @modifiers held ("Control_L", "Alt_L", "Shift_L"), through XTEST to
    whatever has the keyboard focus.

    Every key goes by its keycode. AT-SPI's keysym synthesis cannot hold a
    modifier: its synth types are an enum, not flags (PRESS | SYM is SYM, a
    press and release), and a keysym it types resets the modifiers it did
    not itself need, so Control never reached the window that way."""
    from gi.repository import Atspi
    codes = [_keycode(m) for m in modifiers]
    assert all(codes), f"a modifier in {modifiers} has no keycode"
    code = _keycode(keysym)
    for c in codes:
        Atspi.generate_keyboard_event(c, None, Atspi.KeySynthType.PRESS)
    try:
        if code:
            Atspi.generate_keyboard_event(code, None, Atspi.KeySynthType.PRESSRELEASE)
        else:
            assert not modifiers, f"{keysym!r} has no keycode to hold {modifiers} with"
            Atspi.generate_keyboard_event(0, keysym, Atspi.KeySynthType.SYM)
    finally:
        for c in reversed(codes):
            Atspi.generate_keyboard_event(c, None, Atspi.KeySynthType.RELEASE)


def type_text(text):
    """Types @text through XTEST into whatever has the keyboard focus."""
    from gi.repository import Atspi
    Atspi.generate_keyboard_event(0, text, Atspi.KeySynthType.STRING)


def button(root, label, exact=True, **kw):
    """The push button @label under @root. Buttons with an accessible label
    are named exactly; GTK 4.8 names a mnemonic button without one
    "_Label Label", so those match with exact=False (contains)."""
    return find(root, label, "push button", contains=not exact, **kw)


def newest_dialog(app, before):
    """The window @app opens after it had @before: a dialog."""
    wait_until(lambda: app.childCount > before, "a dialog to open")
    return app.getChildAtIndex(app.childCount - 1)


def wait_windows(app, count):
    """Until @app has at most @count windows. GTK 4.8 can crash if a window
    goes while a reader walks the list: wait for it before searching."""
    wait_until(lambda: app.childCount <= count, "the dialog to close")
