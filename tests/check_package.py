#!/usr/bin/python3
"""The Debian package: built with CPack, installed with dpkg into a clean
root, and loaded from there by tshark.

    RST_BUILD_DIR=build /usr/bin/python3 tests/check_package.py

tshark takes its plugins from the root's plugin folder (WIRESHARK_PLUGIN_DIR)
and its global profiles from the root's data folder (WIRESHARK_DATA_DIR, a
copy of Wireshark's data folder with the package's profile): the same paths
the package puts the files in on a real system.  As root, tshark runs as
nobody (Wireshark ignores those variables for root).
"""
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("RST_BUILD_DIR", os.path.join(ROOT, "build")))
CAPTURE = os.path.join(ROOT, "captures", "forged-handshake.pcapng")


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, check=True, **kw).stdout


def pkg_var(name):
    return run("pkg-config", "--variable=" + name, "wireshark").strip()


def unprivileged(cmd):
    if os.getuid() != 0:
        return cmd
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"] + cmd


def dpkg(root, *args):
    # dpkg wants ldconfig and start-stop-daemon on PATH, which for an
    # ordinary user holds no sbin folder.
    path = os.environ.get("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin"
    return run("dpkg", "--root=" + root, "--force-not-root", "--log=/dev/null", *args,
               env=dict(os.environ, PATH=path))


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="rst-package-")
        os.chmod(cls.work, 0o755)
        run("cpack", "-G", "DEB", "-B", cls.work, "--config",
            os.path.join(BUILD, "CPackConfig.cmake"))
        cls.deb = glob.glob(os.path.join(cls.work, "*.deb"))[0]
        cls.root = cls.installed_root("root")

    @classmethod
    def installed_root(cls, name):
        """A clean root with nothing but the package, installed by dpkg."""
        root = os.path.join(cls.work, name)
        for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
            os.makedirs(os.path.join(root, d))
        for f in ("status", "available"):
            open(os.path.join(root, "var/lib/dpkg", f), "w").close()
        # The root holds no Wireshark of its own: its dependency is this machine's.
        dpkg(root, "--force-depends", "-i", cls.deb)
        return root

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_depends_on_the_library_it_was_built_against(self):
        lib = os.path.realpath(os.path.join(pkg_var("libdir"), "libwireshark.so"))
        package = run("dpkg-query", "-S", lib).split(":")[0]
        version = run("dpkg-query", "-W", "-f=${Version}", package)
        release = ".".join(run("pkg-config", "--modversion", "wireshark").split(".")[:2])
        major, minor = release.split(".")
        depends = run("dpkg-deb", "-f", self.deb, "Depends").strip().split(", ")
        self.assertEqual(depends[:2], ["%s (>= %s)" % (package, version),
                                       "%s (<< %s.%d~)" % (package, major, int(minor) + 1)])
        # The rest as dpkg-shlibdeps computes it from the symbols the plugin
        # uses: the C library at least.
        self.assertTrue(any(d.startswith("libc6 (>= ") for d in depends[2:]), depends)

    def test_lintian_finds_no_error_and_no_warning(self):
        if not shutil.which("lintian"):
            self.fail("lintian is missing: packaging/deps.sh installs it")
        check = subprocess.run(["lintian", "--fail-on", "error,warning", "--no-tag-display-limit",
                                self.deb], capture_output=True, text=True)
        tags = [line for line in check.stdout.splitlines() if line[:2] in ("E:", "W:")]
        self.assertEqual((check.returncode, tags), (0, []), check.stdout + check.stderr)

    def test_the_plugin_is_stripped(self):
        sections = run("readelf", "-S", "-W", self.root + os.path.join(pkg_var("plugindir"),
                                                                       "epan", "rst.so"))
        self.assertNotIn(".debug_info", sections)
        self.assertNotIn(".symtab", sections)

    def test_removing_it_leaves_nothing_of_it(self):
        root = self.installed_root("removed")
        listed = [p for p in dpkg(root, "-L", "wireshark-rst-explain").splitlines() if p]
        files = [p for p in listed if not os.path.isdir(root + p)]
        self.assertGreaterEqual(len(files), 7)     # plugin, 4 profile files, copyright, changelog
        dpkg(root, "--purge", "wireshark-rst-explain")
        self.assertEqual([p for p in listed if os.path.lexists(root + p)
                          and not (os.path.isdir(root + p) and os.listdir(root + p))], [])
        self.assertEqual(dpkg(root, "-l").count("wireshark-rst-explain"), 0)

    def test_installs_the_plugin_and_the_global_profile(self):
        listed = run("dpkg", "--root=" + self.root, "-L", "wireshark-rst-explain").split("\n")
        plugin = os.path.join(pkg_var("plugindir"), "epan", "rst.so")
        profile = os.path.join(pkg_var("prefix"), "share/wireshark/profiles/RST Analysis")
        self.assertIn(plugin, listed)
        for f in ("colorfilters", "preferences", "dfilter_buttons", "recent"):
            self.assertIn(os.path.join(profile, f), listed)
            self.assertTrue(os.path.isfile(self.root + os.path.join(profile, f)))
        doc = os.path.join(pkg_var("prefix"), "share/doc/wireshark-rst-explain")
        for f in ("copyright", "changelog.Debian.gz"):
            self.assertIn(os.path.join(doc, f), listed)
        self.assertTrue(os.path.isfile(self.root + plugin))

    def test_tshark_loads_it_from_the_installed_paths(self):
        plugins = self.root + os.path.dirname(pkg_var("plugindir"))
        system_data = os.path.join(pkg_var("prefix"), "share/wireshark")
        data = os.path.join(self.work, "data")
        os.makedirs(os.path.join(data, "profiles"))
        for entry in os.listdir(system_data):
            if entry != "profiles":
                os.symlink(os.path.join(system_data, entry), os.path.join(data, entry))
        shutil.copytree(self.root + system_data + "/profiles/RST Analysis",
                        os.path.join(data, "profiles", "RST Analysis"))
        home = os.path.join(self.work, "home")
        os.makedirs(home)
        os.chmod(home, 0o777)
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home,
                   WIRESHARK_PLUGIN_DIR=plugins, WIRESHARK_DATA_DIR=data)
        listed = run(*unprivileged(["tshark", "-G", "plugins"]), env=env)
        self.assertRegex(listed, r"rst\.so\s+\S+\s+dissector\s+" + plugins)
        out = run(*unprivileged(["tshark", "-C", "RST Analysis", "--color", "-r", CAPTURE, "-2",
                                 "-T", "fields", "-e", "frame.number", "-e", "rst.cause",
                                 "-e", "frame.coloring_rule.name"]), env=env)
        self.assertIn("2\tinjected\tRST injected", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
