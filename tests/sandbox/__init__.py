"""Tests of the local Discord and the sandbox page; fixtures other tests share live here too."""
