# completions/local.mk -- bash and zsh completions, installed where each shell looks under the
# configured prefix: bash-completion's completions/ and zsh's site-functions (Debian's zsh reads
# /usr/local/share/zsh/site-functions; debian/rules puts them in vendor-completions). Either
# directory can be moved: ./configure ... or make install bashcompletiondir=... zshcompletiondir=...
bashcompletiondir = $(datadir)/bash-completion/completions
zshcompletiondir = $(datadir)/zsh/site-functions
zshcompletion_DATA = completions/_batchtop completions/_batchtop-sim
EXTRA_DIST += completions/batchtop.bash completions/batchtop-sim.bash $(zshcompletion_DATA)

# bash-completion loads a file named after the command, so the .bash files are installed
# without their suffix.
install-data-local: install-bash-completions
uninstall-local: uninstall-bash-completions
install-bash-completions:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	$(INSTALL_DATA) $(srcdir)/completions/batchtop.bash '$(DESTDIR)$(bashcompletiondir)/batchtop'
	$(INSTALL_DATA) $(srcdir)/completions/batchtop-sim.bash \
		'$(DESTDIR)$(bashcompletiondir)/batchtop-sim'
uninstall-bash-completions:
	rm -f '$(DESTDIR)$(bashcompletiondir)/batchtop' '$(DESTDIR)$(bashcompletiondir)/batchtop-sim'
.PHONY: install-bash-completions uninstall-bash-completions

# The completions offer exactly the options of each program's --help (tests/completions.sh).
TESTS += tests/completions.sh
EXTRA_DIST += tests/completions.sh
EXTRA_DIST += tests/zcomplete.zsh
