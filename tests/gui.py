#!/usr/bin/python3
"""The real Wireshark GUI (wireshark-qt) with this build's plugin and the
"RST Analysis" profile, on a virtual X display (Xvfb).

    RST_BUILD_DIR=build /usr/bin/python3 tests/gui.py check
        The test: the GUI loads the plugin without errors and gives every RST
        of captures/tour.pcapng the verdict tshark gives it; the profile's
        colouring rules paint the forged ones in the packet list.
    RST_BUILD_DIR=build /usr/bin/python3 tests/gui.py screenshot [OUT.png]
        Saves the README's screenshot (docs/screenshot.png): the RSTs of the
        tour capture, a forged one selected, its RST Analysis tree expanded.

Needs wireshark-qt, xvfb, xdotool and python3-pil (packaging/deps.sh).
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("RST_BUILD_DIR", os.path.join(ROOT, "build")))
TOUR = os.path.join(ROOT, "captures", "tour.pcapng")
PLUGIN = next((os.path.join(d, "rst.so") for d, _, files in os.walk(os.path.join(BUILD, "plugins"))
               if "rst.so" in files), "")
PROFILE = "RST Analysis"
SCREEN = (1400, 900)
NOBODY = 65534
# The profile's colour for injected RSTs (packaging/profile/colorfilters.rst:
# background [44461,0,0] of 65535), as 8-bit RGB.
INJECTED_RGB = (173, 0, 0)
# Expert severity Note (epan/proto.h PI_NOTE); Chat is below it.
PI_NOTE = 0x00400000


def tshark_verdicts(capture):
    """frame -> "cause/suspicion,..." as tshark gives it in one pass, as the GUI reads."""
    out = subprocess.run([os.path.join(HERE, "tshark.sh"), "-r", capture, "-Y", "rst", "-T",
                          "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e",
                          "frame.number", "-e", "rst.cause", "-e", "rst.suspicion"],
                         capture_output=True, text=True, check=True).stdout
    verdicts = {}
    for line in out.splitlines():
        frame, causes, suspicions = line.split("\t")
        verdicts[int(frame)] = ",".join(
            "%s/%s" % pair for pair in zip(causes.split(","), suspicions.split(",")))
    return verdicts


class Gui:
    """Xvfb plus one Wireshark window, in a private, writable HOME."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="rst-gui-")
        self.home = os.path.join(self.tmp, "home")
        self.xvfb = self.wireshark = None
        self.log = os.path.join(self.tmp, "wireshark.log")

    def __enter__(self):
        self._make_home()
        self._start_xvfb()
        return self

    def __exit__(self, *exc):
        for proc in (self.wireshark, self.xvfb):
            if proc and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _make_home(self):
        # The plugin comes from tests/with-plugin.sh's own plugin folder. The
        # profile is copied, not linked: the GUI writes its "recent" file there.
        config = os.path.join(self.home, ".config", "wireshark")
        shutil.copytree(os.path.join(BUILD, "profile", PROFILE),
                        os.path.join(config, "profiles", PROFILE))
        # The window fills the screen; the packet list takes 40% of it, the details the rest.
        with open(os.path.join(config, "recent_common"), "w") as fh:
            fh.write("gui.geometry_main_x: 0\ngui.geometry_main_y: 0\n"
                     "gui.geometry_main_width: %d\ngui.geometry_main_height: %d\n"
                     "gui.geometry_main_maximized: FALSE\n" % SCREEN)
        with open(os.path.join(config, "profiles", PROFILE, "recent"), "a") as fh:
            fh.write("gui.geometry_main_upper_pane: %d\ngui.geometry_main_lower_pane: %d\n"
                     % (SCREEN[1] * 2 // 5, SCREEN[1] // 2))
        # Packet list above the details, no bytes pane: room for the verdict.
        with open(os.path.join(config, "profiles", PROFILE, "preferences"), "a") as fh:
            fh.write("gui.layout_type: 1\ngui.layout_content_3: NONE\n")
        os.makedirs(os.path.join(self.home, "run"), mode=0o700)
        self.own_home()

    def own_home(self):
        if os.getuid() == 0:   # tests/with-plugin.sh runs the GUI as nobody
            for d, dirs, files in os.walk(self.tmp):
                for name in [d] + [os.path.join(d, f) for f in dirs + files]:
                    os.lchown(name, NOBODY, NOBODY)

    def _start_xvfb(self):
        read_fd, write_fd = os.pipe()
        self.xvfb_log = os.path.join(self.tmp, "xvfb.log")
        with open(self.xvfb_log, "w") as log:
            self.xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "%dx%dx24" % SCREEN,
                 "-nolisten", "tcp"], pass_fds=(write_fd,), stderr=log)
        os.close(write_fd)
        with os.fdopen(read_fd) as fh:
            number = fh.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start:\n" + self.xvfb_state())
        self.display = ":" + number
        # The display takes clients before Wireshark gets it (xdpyinfo: x11-utils).
        deadline = time.time() + 10
        while subprocess.run(["xdpyinfo", "-display", self.display], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL).returncode != 0:
            if time.time() > deadline or self.xvfb.poll() is not None:
                raise RuntimeError("Xvfb on %s takes no clients:\n%s"
                                   % (self.display, self.xvfb_state()))
            time.sleep(0.1)

    def xvfb_state(self):
        """Whether Xvfb still runs, and what it said: for a failure's message."""
        code = self.xvfb.poll()
        with open(self.xvfb_log, errors="replace") as fh:
            said = fh.read()[-2000:]
        return "Xvfb %s; its output:\n%s" % (
            "running" if code is None else "exited (%d)" % code, said)

    def start(self, capture, *args, wait=60):
        env = dict(os.environ, DISPLAY=self.display, QT_QPA_PLATFORM="xcb",
                   RST_TEST_HOME=self.home, XDG_RUNTIME_DIR=os.path.join(self.home, "run"),
                   RST_BUILD_DIR=BUILD)
        cmd = [os.path.join(HERE, "with-plugin.sh"), "wireshark", "-C", PROFILE,
               "-r", capture] + list(args)
        with open(self.log, "w") as log:
            self.wireshark = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        # Wait for the window that shows the capture; a dialog (a plugin found
        # twice, a profile or Lua error) would hold it up for ever: fail at once
        # with its text instead.
        name, deadline = os.path.basename(capture), time.time() + wait
        while True:
            self.fail_on_dialog()
            found = self.xdotool("search", "--onlyvisible", "--name", name, check=False).split()
            if found:
                self.window = found[0]
                break
            if self.wireshark.poll() is not None:
                raise AssertionError("Wireshark exited (%d) before showing %s; output:\n%s\n%s"
                                     % (self.wireshark.returncode, name, self.output(),
                                        self.xvfb_state()))
            if time.time() > deadline:
                raise AssertionError("no Wireshark window for %s after %d s; windows: %s; "
                                     "output:\n%s" % (name, wait, self.windows(), self.output()))
            time.sleep(0.5)
        time.sleep(2)
        self.fail_on_dialog()

    def dialogs(self):
        """The visible windows that are dialogs (_NET_WM_WINDOW_TYPE_DIALOG)."""
        found = []
        for w in self.xdotool("search", "--onlyvisible", "--class", "wireshark",
                              check=False).split():
            kind = subprocess.run(["xprop", "-display", self.display, "-id", w,
                                   "_NET_WM_WINDOW_TYPE"], capture_output=True, text=True).stdout
            if "_NET_WM_WINDOW_TYPE_DIALOG" in kind:
                found.append(w)
        return found

    def fail_on_dialog(self):
        dialogs = self.dialogs()
        if dialogs:
            texts = ["%r: %s" % (self.xdotool("getwindowname", w, check=False).strip(),
                                 self.dialog_text(w)) for w in dialogs]
            raise AssertionError("Wireshark shows a dialog:\n  " + "\n  ".join(texts)
                                 + "\noutput:\n" + self.output())

    def dialog_text(self, window):
        """What a dialog says. Qt's message boxes copy their text only on
        Windows and publish it to no X property, so the text is read off the
        screen (tesseract); the picture is kept in case that fails."""
        geometry = self.xdotool("getwindowgeometry", "--shell", window, check=False)
        g = dict(line.split("=", 1) for line in geometry.split() if "=" in line)
        try:
            box = (int(g["X"]), int(g["Y"]), int(g["X"]) + int(g["WIDTH"]),
                   int(g["Y"]) + int(g["HEIGHT"]))
        except (KeyError, ValueError):
            return "(no geometry: %r)" % geometry
        image = self.screenshot().crop(box)
        kept = os.path.join(BUILD, "Testing", "gui-dialog-%s.png" % window)
        os.makedirs(os.path.dirname(kept), exist_ok=True)
        image.save(kept)
        if not shutil.which("tesseract"):
            return "(picture in %s; tesseract-ocr would read it)" % kept
        # Twice the size reads better; tesseract prints the text on stdout.
        big = image.resize((image.width * 2, image.height * 2))
        png = os.path.join(self.tmp, "dialog.png")
        big.save(png)
        read = subprocess.run(["tesseract", png, "-", "--psm", "6"], capture_output=True,
                              text=True)
        text = " ".join(read.stdout.split())
        return "%s (picture: %s)" % (text or "(unreadable)", kept)

    def xdotool(self, *args, timeout=20, check=True):
        run = subprocess.run(["xdotool"] + list(args), capture_output=True, text=True,
                             env=dict(os.environ, DISPLAY=self.display), timeout=timeout)
        if run.returncode and check:
            raise RuntimeError("xdotool %s: %s" % (" ".join(args), run.stderr))
        return run.stdout

    def keys(self, *keys):
        # Qt ignores synthetic events sent to a window: focus it (no window
        # manager here) and type as a keyboard would.
        self.xdotool("windowfocus", "--sync", self.window)
        for key in keys:
            self.xdotool("key", key)
            time.sleep(0.5)

    def type(self, text):
        self.xdotool("type", "--delay", "50", text)

    def click(self, x, y):
        self.xdotool("mousemove", "--sync", str(x), str(y), "click", "1")
        time.sleep(0.5)

    def screenshot(self):
        from PIL import ImageGrab
        return ImageGrab.grab(xdisplay=self.display)

    def windows(self):
        """Names of the visible top-level windows (an error dialog would be one)."""
        ids = self.xdotool("search", "--onlyvisible", "--class", "wireshark", check=False).split()
        return [self.xdotool("getwindowname", w).strip() for w in ids]

    def output(self):
        with open(self.log) as fh:
            return fh.read()


def forged_tour_frame():
    """The tour's forged RST that lost data with the most evidence (from the labels)."""
    with open(os.path.join(ROOT, "captures", "labels.tsv")) as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t")
                if r["capture"] == "tour.pcapng" and r["injected"] == "yes"
                and r["impact"] == "data-lost"]
    return int(max(rows, key=lambda r: (len(r["evidence"].split(",")), -int(r["frame"])))["frame"])


def expand_selected_rst(gui):
    # A click on the empty part of the details pane gives it the focus; the
    # RST Analysis tree is its last item, the cause its first child (the
    # explanation line by line under it): open both.
    gui.click(SCREEN[0] // 2, SCREEN[1] - 60)
    gui.keys("End", "Right", "Down", "Right")


def take_screenshot(path):
    frame = forged_tour_frame()
    with Gui() as gui:
        gui.start(TOUR, "-Y", "rst", "-g", str(frame))
        expand_selected_rst(gui)
        # Go to the packet again (Ctrl+G) now that the panes have their final
        # sizes, so that the list scrolls to it; the GUI keeps the trees open.
        gui.keys("ctrl+g")
        gui.type(str(frame))
        gui.keys("Return")
        # 256 colours are plenty for a GUI and keep the file small.
        gui.screenshot().quantize(256).save(path, optimize=True)
    print("wrote", path)


class GuiTest(unittest.TestCase):
    def test_the_gui_loads_the_plugin_and_gives_tsharks_verdicts(self):
        expected = tshark_verdicts(TOUR)
        self.assertGreaterEqual(len(expected), 40)
        with Gui() as gui:
            out = os.path.join(gui.home, "probe.txt")
            gui.start(TOUR, "-X", "lua_script:" + os.path.join(HERE, "gui_probe.lua"),
                      "-X", "lua_script1:" + out)
            got, deadline = {}, time.time() + 90
            while time.time() < deadline:
                got = read_probe(out)
                if len(got.get("rst", {})) >= len(expected):
                    break
                time.sleep(1)
            windows = gui.windows()
            log = gui.output()
        self.assertEqual(got.get("gui"), "true", "the probe did not run in the GUI:\n" + log)
        self.assertEqual(got["rst"], expected)
        # Expert Information set to show Note and above (its severity filter)
        # hides exactly the RSTs that cost nothing (labels: impact none, not
        # forged): all their entries are Chat.
        with open(os.path.join(ROOT, "captures", "labels.tsv")) as fh:
            tour = [r for r in csv.DictReader(fh, delimiter="\t") if r["capture"] == "tour.pcapng"]
        self.assertEqual(set(got["severity"]), {int(r["frame"]) for r in tour})
        for r in tour:
            harmless = r["impact"] == "none" and r["injected"] == "no"
            with self.subTest(frame=r["frame"]):
                self.assertEqual(int(got["severity"][int(r["frame"])]) < PI_NOTE, harmless)
        self.assertEqual(windows, [os.path.basename(TOUR)], "dialogs besides the main window")
        bad = [line for line in log.splitlines()
               if "rst" in line.lower() or "plugin" in line.lower() or "lua" in line.lower()]
        self.assertEqual(bad, [], "the GUI complained")

    def test_a_dialog_fails_the_test_at_once_and_says_what_it_shows(self):
        # A second rst.so in the private HOME's personal plugin folder: the
        # GUI reports the plugin twice in a dialog that nobody can click away.
        with Gui() as gui:
            personal = os.path.join(gui.home, ".local", "lib", "wireshark", "plugins",
                                    os.path.basename(os.path.dirname(os.path.dirname(PLUGIN))),
                                    "epan")
            os.makedirs(personal)
            shutil.copy(PLUGIN, personal)
            gui.own_home()
            began = time.time()
            with self.assertRaises(AssertionError) as raised:
                gui.start(TOUR, wait=120)
            took = time.time() - began
        self.assertLess(took, 60, "the dialog was noticed only after %.0f s" % took)
        said = str(raised.exception)
        self.assertIn("shows a dialog", said)
        self.assertRegex(said.lower(), r"found in multiple\s+directories")

    def test_the_profile_paints_forged_rsts_in_the_packet_list(self):
        with Gui() as gui:
            gui.start(TOUR, "-Y", "rst.injected")
            image = gui.screenshot().convert("RGB")
        counts = {colour: n for n, colour in image.getcolors(image.width * image.height)}
        painted = counts.get(INJECTED_RGB, 0)
        # Rows of forged RSTs fill the list: many thousand pixels of that red.
        self.assertGreater(painted, 20000)


def read_probe(path):
    got = {"rst": {}, "severity": {}}
    if not os.path.exists(path):
        return got
    with open(path) as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if parts[0] in ("rst", "severity"):
                got[parts[0]][int(parts[1])] = parts[2]
            else:
                got[parts[0]] = parts[1]
    return got


def main():
    missing = [tool for tool in ("wireshark", "Xvfb", "xdotool", "xdpyinfo")
               if not shutil.which(tool)]
    if missing:
        sys.exit("tests/gui.py: %s missing; packaging/deps.sh installs them" % ", ".join(missing))
    if len(sys.argv) > 1 and sys.argv[1] == "screenshot":
        take_screenshot(sys.argv[2] if len(sys.argv) > 2
                        else os.path.join(ROOT, "docs", "screenshot.png"))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        sys.argv.pop(1)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
