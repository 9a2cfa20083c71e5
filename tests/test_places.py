"""Places named in rule options: path globs relative to the audit root, or dotted names."""

from __future__ import annotations

from ssot_audit.analysis.places import Places


def test_a_path_with_a_slash_is_anchored_at_the_audit_root() -> None:
    places = Places.of(["shared/config/environment.py"])
    assert places.contains("shared/config/environment.py", "shared.config.environment")
    assert not places.contains("vendor/shared/config/environment.py", "vendor.shared.config.environment")


def test_a_dotted_name_covers_what_is_under_it_and_nothing_that_merely_starts_like_it() -> None:
    places = Places.of(["pkg.settings"])
    assert places.has_name("pkg.settings") and places.has_name("pkg.settings.load")
    assert not places.has_name("pkg.settings_extra") and not places.has_name("pkg")


def test_globs_and_no_places() -> None:
    assert Places.of(["legacy/**"]).has_path("legacy/a/b.py")
    assert not Places.of(["legacy/**"]).has_path("app/legacy.py")
    assert not Places.of([]) and not Places.of([" "]).contains("a.py", "a")
