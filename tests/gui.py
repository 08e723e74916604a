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
PROFILE = "RST Analysis"
SCREEN = (1400, 900)
NOBODY = 65534
# The profile's colour for injected RSTs (packaging/profile/colorfilters.rst:
# background [44461,0,0] of 65535), as 8-bit RGB.
INJECTED_RGB = (173, 0, 0)


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
        # The profile is copied, not linked: the GUI writes its "recent" file there.
        plugins = os.path.join(self.home, ".local", "lib", "wireshark")
        os.makedirs(plugins)
        os.symlink(os.path.join(BUILD, "plugins"), os.path.join(plugins, "plugins"))
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
        if os.getuid() == 0:   # tests/with-plugin.sh runs the GUI as nobody
            for d, dirs, files in os.walk(self.tmp):
                for name in [d] + [os.path.join(d, f) for f in dirs + files]:
                    os.lchown(name, NOBODY, NOBODY)

    def _start_xvfb(self):
        read_fd, write_fd = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "%dx%dx24" % SCREEN,
             "-nolisten", "tcp"], pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as fh:
            number = fh.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.display = ":" + number

    def start(self, capture, *args):
        env = dict(os.environ, DISPLAY=self.display, QT_QPA_PLATFORM="xcb",
                   RST_TEST_HOME=self.home, XDG_RUNTIME_DIR=os.path.join(self.home, "run"),
                   RST_BUILD_DIR=BUILD)
        cmd = [os.path.join(HERE, "with-plugin.sh"), "wireshark", "-C", PROFILE,
               "-r", capture] + list(args)
        with open(self.log, "w") as log:
            self.wireshark = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self.window = self.xdotool("search", "--sync", "--onlyvisible", "--name",
                                       os.path.basename(capture), timeout=60).split()[0]
        except subprocess.TimeoutExpired:
            # A dialog (a Lua error, a plugin that failed to load) holds it up.
            raise AssertionError("no Wireshark window for %s after 60 s; windows: %s; output:\n%s"
                                 % (capture, self.windows(), self.output())) from None
        time.sleep(2)

    def xdotool(self, *args, timeout=20):
        run = subprocess.run(["xdotool"] + list(args), capture_output=True, text=True,
                             env=dict(os.environ, DISPLAY=self.display), timeout=timeout)
        if run.returncode:
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
        ids = self.xdotool("search", "--onlyvisible", "--class", "wireshark").split()
        return [self.xdotool("getwindowname", w).strip() for w in ids]

    def output(self):
        with open(self.log) as fh:
            return fh.read()


def forged_tour_frame():
    """The tour's forged RST with the most evidence (from the labels)."""
    with open(os.path.join(ROOT, "captures", "labels.tsv")) as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t")
                if r["capture"] == "tour.pcapng" and r["injected"] == "yes"]
    return int(max(rows, key=lambda r: (len(r["evidence"].split(",")), -int(r["frame"])))["frame"])


def expand_selected_rst(gui):
    # A click on the empty part of the details pane gives it the focus; the
    # RST Analysis tree is its last item, the injection evidence its last
    # child: open both.
    gui.click(SCREEN[0] // 2, SCREEN[1] - 60)
    gui.keys("End", "Right", "End", "Right")


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
        self.assertEqual(windows, [os.path.basename(TOUR)], "dialogs besides the main window")
        bad = [line for line in log.splitlines()
               if "rst" in line.lower() or "plugin" in line.lower() or "lua" in line.lower()]
        self.assertEqual(bad, [], "the GUI complained")

    def test_the_profile_paints_forged_rsts_in_the_packet_list(self):
        with Gui() as gui:
            gui.start(TOUR, "-Y", "rst.injected")
            image = gui.screenshot().convert("RGB")
        painted = sum(1 for px in image.getdata() if px == INJECTED_RGB)
        # Rows of forged RSTs fill the list: many thousand pixels of that red.
        self.assertGreater(painted, 20000)


def read_probe(path):
    got = {"rst": {}}
    if not os.path.exists(path):
        return got
    with open(path) as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "rst":
                got["rst"][int(parts[1])] = parts[2]
            else:
                got[parts[0]] = parts[1]
    return got


def main():
    missing = [tool for tool in ("wireshark", "Xvfb", "xdotool") if not shutil.which(tool)]
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
