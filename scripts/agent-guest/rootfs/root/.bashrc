# The serial shell's prompt, distinctive so tests can wait for it (manifest.json: prompt).
PS1='agent-guest# '
export DISPLAY=:0 TERM=linux
