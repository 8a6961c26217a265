# debian/local.mk -- the Debian packaging travels in the release tarball (a native package, see
# debian/README.source), so `dpkg-buildpackage -b` works from `make dist` output as from git.
# Listed one by one: a package build in the tree leaves outputs in debian/ that must not ship.
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/batchtop.install debian/batchtop-sim.install \
	debian/batchtop.docs debian/README.source debian/tests/control debian/tests/smoke \
	debian/local.mk
