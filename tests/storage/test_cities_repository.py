"""The city register, memberships and profiles on a real SQLite file."""

from __future__ import annotations

import pytest

from storage.cities import CitiesRepository, DuplicateCityError, city_key, tidy_name
from storage.database import Database
from storage.profiles import ProfilesRepository

GUILD = 1


async def test_names_are_unique_ignoring_case_and_spacing(migrated_db: Database) -> None:
    cities = CitiesRepository(migrated_db)
    lyon = await cities.add(GUILD, "  Lyon ", "FR", mission_city=True, created_by=7)
    assert lyon.name == "Lyon" and lyon.mission_city and lyon.country == "FR"
    with pytest.raises(DuplicateCityError) as caught:
        await cities.add(GUILD, "LYON", "FR", mission_city=False, created_by=7)
    assert caught.value.existing.id == lyon.id
    # Another server keeps its own register.
    other = await cities.add(2, "lyon", "FR", mission_city=False, created_by=7)
    assert other.id != lyon.id
    assert [c.name for c in await cities.all(GUILD)] == ["Lyon"]
    assert (await cities.find(GUILD, "lYoN")) == lyon


def test_keys_fold_case_and_unicode_forms() -> None:
    assert city_key("MÜNCHEN") == city_key("münchen")
    assert city_key("Cluj-\u00a0Napoca") == city_key("cluj- napoca")
    assert tidy_name("  Vitoria   Gasteiz ") == "Vitoria Gasteiz"


async def test_page_filters_by_country_and_counts(migrated_db: Database) -> None:
    cities = CitiesRepository(migrated_db)
    for name, country in [("Valencia", "ES"), ("Madrid", "ES"), ("Lyon", "FR"), ("Sevilla", "ES")]:
        await cities.add(GUILD, name, country, mission_city=True, created_by=None)
    page, total = await cities.page(GUILD, country="ES", offset=0, limit=2)
    assert total == 3 and [c.name for c in page] == ["Madrid", "Sevilla"]
    page, total = await cities.page(GUILD, country=None, offset=3, limit=2)
    assert total == 4 and [c.name for c in page] == ["Valencia"]


async def test_complete_prefers_prefix_matches_and_escapes_like(migrated_db: Database) -> None:
    cities = CitiesRepository(migrated_db)
    for name in ["Valencia", "Aval", "Vantaa", "100% City"]:
        await cities.add(GUILD, name, "ES", mission_city=False, created_by=None)
    assert [c.name for c in await cities.complete(GUILD, "va")] == ["Valencia", "Vantaa", "Aval"]
    assert [c.name for c in await cities.complete(GUILD, "%")] == ["100% City"]
    assert len(await cities.complete(GUILD, "")) == 4


async def test_join_leave_and_member_lists(migrated_db: Database) -> None:
    cities = CitiesRepository(migrated_db)
    profiles = ProfilesRepository(migrated_db)
    lyon = await cities.add(GUILD, "Lyon", "FR", mission_city=True, created_by=None)
    riga = await cities.add(GUILD, "Riga", "LV", mission_city=True, created_by=None)
    assert await cities.join(lyon.id, 100) is True
    assert await cities.join(lyon.id, 100) is False
    assert await cities.join(riga.id, 100) is True
    assert await cities.join(lyon.id, 200) is True
    assert await cities.members(lyon.id) == [100, 200]
    assert [c.name for c in await cities.cities_of(GUILD, 100)] == ["Lyon", "Riga"]
    assert await cities.member_counts([lyon.id, riga.id]) == {lyon.id: 2, riga.id: 1}
    await profiles.set(GUILD, 100, city_id=riga.id)
    assert await cities.leave(riga.id, 100) is True
    assert await cities.leave(riga.id, 100) is False
    profile = await profiles.get(GUILD, 100)
    assert profile is not None and profile.city_id is None


async def test_set_role(migrated_db: Database) -> None:
    cities = CitiesRepository(migrated_db)
    lyon = await cities.add(GUILD, "Lyon", "FR", mission_city=True, created_by=None)
    await cities.set_role(lyon.id, 555)
    found = await cities.get(lyon.id)
    assert found is not None and found.role_id == 555


async def test_import_many_adds_updates_and_skips(migrated_db: Database) -> None:
    cities = CitiesRepository(migrated_db)
    await cities.add(GUILD, "Lyon", "FR", mission_city=False, created_by=None)
    await cities.add(GUILD, "Riga", "LV", mission_city=True, created_by=None)
    counts = await cities.import_many(
        GUILD, [("LYON", "FR", True), ("Riga", "LV", True), ("Valencia", "ES", True)]
    )
    assert (counts.added, counts.updated, counts.unchanged) == (1, 1, 1)
    lyon = await cities.find(GUILD, "lyon")
    assert lyon is not None and lyon.name == "Lyon" and lyon.mission_city


async def test_profiles_set_keep_and_clear(migrated_db: Database) -> None:
    cities = CitiesRepository(migrated_db)
    profiles = ProfilesRepository(migrated_db)
    lyon = await cities.add(GUILD, "Lyon", "FR", mission_city=True, created_by=None)
    assert await profiles.get(GUILD, 5) is None
    profile, joined = await profiles.set(GUILD, 5, target_group="researcher", city_id=lyon.id)
    assert (profile.target_group, profile.city_id, joined) == ("researcher", lyon.id, True)
    assert await cities.is_member(lyon.id, 5)
    profile, joined = await profiles.set(GUILD, 5, target_group="citizen")
    assert (profile.target_group, profile.city_id, joined) == ("citizen", lyon.id, False)
    profile, _ = await profiles.set(GUILD, 5, city_id=None)
    assert profile.city_id is None and profile.target_group == "citizen"
    with pytest.raises(ValueError):
        await profiles.set(GUILD, 5, target_group="astronaut")
    await profiles.set(GUILD, 6, target_group="citizen")
    counts = await profiles.group_counts(GUILD)
    assert counts["citizen"] == 2 and counts["business"] == 0
    assert await profiles.groups_of(GUILD, [5, 6, 7]) == {5: "citizen", 6: "citizen"}
    assert await profiles.forget(GUILD, 5) == 2
    assert await profiles.get(GUILD, 5) is None
    assert not await cities.is_member(lyon.id, 5)


async def test_erasure_removes_the_profile_and_the_memberships_separately(migrated_db: Database) -> None:
    cities, profiles = CitiesRepository(migrated_db), ProfilesRepository(migrated_db)
    lyon = await cities.add(GUILD, "Lyon", "FR", mission_city=True, created_by=None)
    riga = await cities.add(GUILD, "Riga", "LV", mission_city=True, created_by=None)
    elsewhere = await cities.add(2, "Oslo", "NO", mission_city=True, created_by=None)
    for city in (lyon, riga, elsewhere):
        await cities.join(city.id, 5)
    await cities.join(lyon.id, 6)
    await profiles.set(GUILD, 5, target_group="citizen", city_id=lyon.id)
    # Profiles go first and leave the memberships to the cities' erasure.
    assert await profiles.forget_profile(GUILD, 5) == 1
    assert await profiles.get(GUILD, 5) is None
    assert [c.name for c in await cities.cities_of(GUILD, 5)] == ["Lyon", "Riga"]
    assert await cities.forget_memberships(GUILD, 5) == 2
    assert await cities.cities_of(GUILD, 5) == []
    # Other members and the member's other servers are untouched; a rerun finds nothing.
    assert await cities.members(lyon.id) == [6] and await cities.is_member(elsewhere.id, 5)
    assert (await profiles.forget_profile(GUILD, 5), await cities.forget_memberships(GUILD, 5)) == (0, 0)
