"""The radar's analytics over HTTP, on the Gironde demo."""

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from radar.analysis.randomness import DEFAULT_SEED
from territories.models import Territory


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.django_db
def test_the_gaps_cover_all_538_communes_and_add_up_to_the_published_initiatives(client):
    collection = client.get(reverse("api:radar-gaps"), {"level": "commune"}).json()

    features = collection["features"]
    assert collection["type"] == "FeatureCollection"
    assert len(features) == 538
    published = Initiative.objects.published()
    assert sum(f["properties"]["initiatives"] for f in features) == published.count()
    assert (
        sum(f["properties"]["active_initiatives"] for f in features) == published.active().count()
    )
    assert {f["geometry"]["type"] for f in features} == {"MultiPolygon"}
    assert collection["parameters"]["seed"] == DEFAULT_SEED  # the Gi* permutations' seed


@pytest.mark.django_db
def test_a_commune_of_unknown_population_has_no_rate_but_keeps_its_count(client):
    features = client.get(reverse("api:radar-gaps")).json()["features"]
    merged = next(f["properties"] for f in features if f["properties"]["code"] == "33092")

    assert merged["population"] is None
    assert merged["rate_per_10k"] is None
    assert merged["smoothed_rate_per_10k"] is None
    assert merged["underserved_rank"] is None


@pytest.mark.django_db
def test_smoothing_pulls_small_communes_toward_the_mean(client):
    rows = [f["properties"] for f in client.get(reverse("api:radar-gaps")).json()["features"]]
    overall = rows[0]["overall_rate_per_10k"]
    small = [
        r for r in rows if r["population"] and r["population"] < 1000 and r["active_initiatives"]
    ]

    assert small
    for row in small:
        raw, smoothed = row["rate_per_10k"], row["smoothed_rate_per_10k"]
        assert min(raw, overall) <= smoothed <= max(raw, overall)
    top_smoothed = max(rows, key=lambda r: r["smoothed_rate_per_10k"] or 0)
    assert top_smoothed["population"] >= 1000  # a tiny commune with one initiative is not first


@pytest.mark.django_db
def test_the_under_served_ranking_explains_itself_in_words(english):
    rows = [f["properties"] for f in english.get(reverse("api:radar-gaps")).json()["features"]]
    first = min((r for r in rows if r["underserved_rank"]), key=lambda r: r["underserved_rank"])

    assert first["underserved_rank"] == 1
    assert f"{first['population']:,} inhabitants" in first["reason"]
    assert "initiatives per 10,000 inhabitants (smoothed)" in first["reason"]


@pytest.mark.django_db
def test_white_zones_follow_the_population_threshold_and_the_distance(client):
    url = reverse("api:radar-gaps")
    default = client.get(url).json()["features"]
    strict = client.get(url, {"min_population": 500, "radius_km": 0.5}).json()["features"]

    def white(features):
        return {f["id"] for f in features if f["properties"]["white_zone"]}

    assert white(default) <= white(strict)
    for feature in strict:
        p = feature["properties"]
        if feature["id"] in white(strict):
            assert p["population"] >= 500
            assert p["nearest_distance_m"] > 500


@pytest.mark.django_db
def test_the_epci_level_has_the_28_intercommunalities(client):
    features = client.get(reverse("api:radar-gaps"), {"level": "epci"}).json()["features"]

    assert len(features) == 28
    assert sum(f["properties"]["population"] for f in features) == 1_690_493


@pytest.mark.django_db
def test_gaps_can_be_computed_for_one_theme(client):
    url = reverse("api:radar-gaps")
    features = client.get(url, {"theme": "third_place"}).json()["features"]
    third_places = Initiative.objects.published().active().filter(themes__contains=["third_place"])

    assert sum(f["properties"]["active_initiatives"] for f in features) == third_places.count()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"level": "region"}, {"theme": "martian"}, {"radius_km": "-1"}, {"min_population": "x"}],
)
def test_bad_gap_parameters_are_refused_field_by_field(client, params):
    response = client.get(reverse("api:radar-gaps"), params)

    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.django_db
def test_the_planted_movement_around_libourne_is_detected_as_emerging(english):
    collection = english.get(reverse("api:radar-emerging"), {"end": "2026-11-15"}).json()

    top = collection["features"][0]
    properties = top["properties"]
    assert top["geometry"]["type"] == "Polygon"
    assert properties["p_value"] < 0.05
    assert properties["significant"] is True
    members = Initiative.objects.filter(pk__in=[i["id"] for i in properties["initiatives"]])
    assert members.filter(name__startswith="Frigo solidaire").count() >= 12
    assert properties["observed"] == len(properties["initiatives"])
    assert properties["observed"] > 3 * properties["expected"]
    assert "statistically significant" in properties["summary"]
    assert properties["recurrence_interval_days"] > 365
    assert collection["seed"] == DEFAULT_SEED


@pytest.mark.django_db
def test_bad_emerging_parameters_are_refused(client):
    response = client.get(reverse("api:radar-emerging"), {"max_months": 0, "end": "hier"})

    assert response.status_code == 400
    assert set(response.json()) == {"max_months", "end"}


@pytest.mark.django_db
def test_signals_of_a_territory_count_unknowns_apart(client):
    signals = client.get(reverse("api:radar-signals"), {"territory": "33063"}).json()

    assert signals["territory"] == {"code": "33063", "name": "Bordeaux"}
    n = signals["n_initiatives"]
    assert n == Initiative.objects.published().active().filter(territory__code="33063").count()
    for flag in ("reciprocity", "volunteer_only", "digital_only", "stale"):
        assert signals[f"{flag}_known"] + signals[f"{flag}_unknown"] == n
        known = signals[f"{flag}_known"]
        assert signals[f"{flag}_share"] == pytest.approx(signals[f"{flag}_yes"] / known, abs=1e-4)
    assert 0 <= signals["actor_evenness"] <= 1


@pytest.mark.django_db
def test_signals_of_an_epci_gather_its_communes(client):
    epci = Territory.objects.get(level="epci", name="Bordeaux Métropole")

    signals = client.get(reverse("api:radar-signals"), {"territory": epci.code}).json()

    inside = Initiative.objects.published().active().filter(territory__parent=epci)
    assert signals["n_initiatives"] == inside.count()


@pytest.mark.django_db
def test_signals_of_an_unknown_territory_are_a_404(client):
    assert client.get(reverse("api:radar-signals"), {"territory": "99999"}).status_code == 404


@pytest.mark.django_db
def test_insights_answer_the_two_open_questions_with_tests_and_caveats(english):
    insights = english.get(reverse("api:radar-insights")).json()

    reciprocity = insights["economic_model"]["reciprocity"]
    table_total = sum(sum(row.values()) for row in reciprocity["table"].values())
    assert table_total == reciprocity["n"]
    assert reciprocity["n"] + reciprocity["n_excluded"] == insights["initiatives"]
    assert reciprocity["test"] in {"chi2", "fisher", "fisher_monte_carlo"}
    assert 0 <= reciprocity["p_value"] <= 1
    assert "synthetic_data_included" in reciprocity["caveats"]
    assert "Fictional demonstration initiatives are included." in reciprocity["caveat_texts"]
    assert set(insights["multi_actor"]) == {"reciprocity", "accessible", "digital_only"}
    assert insights["seed"] == DEFAULT_SEED


@pytest.mark.django_db
def test_the_seed_setting_is_used_reported_and_part_of_the_cache_key(client, settings):
    from radar.analysis import insights

    url = reverse("api:radar-insights")
    assert client.get(url).json()["seed"] == DEFAULT_SEED
    settings.RADAR_RANDOM_SEED = 7
    seeds = []
    real = insights.independence_test

    def spy(table, *, seed):
        seeds.append(seed)
        return real(table, seed=seed)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(insights, "independence_test", spy)
        other = client.get(url).json()
        calls = len(seeds)
        assert client.get(url).json() == other
    assert other["seed"] == 7
    assert calls > 0 and set(seeds) == {7}  # computed again, with that seed
    assert len(seeds) == calls  # then served from the cache of that seed


@pytest.mark.django_db
def test_the_profile_of_libourne_tells_of_the_emerging_movement_and_the_signals(english):
    page = english.get(reverse("radar:territory", args=["33243"])).content.decode()

    assert "Emerging movement:" in page
    assert "around" in page and "statistically significant" in page
    assert "Reciprocity: in" in page
    assert "have not been confirmed for a year" in page


@pytest.mark.django_db
def test_a_profile_far_from_the_movement_does_not_mention_it(english):
    page = english.get(reverse("radar:territory", args=["33529"])).content.decode()  # Soulac

    assert "Emerging movement:" not in page


@pytest.mark.django_db
def test_the_radar_page_answers_the_workshop_questions_in_tables(english):
    insights = english.get(reverse("api:radar-insights")).json()

    page = english.get(reverse("radar:home")).content.decode()

    assert 'id="table-insights-economic_model"' in page
    assert 'id="table-insights-multi_actor"' in page
    assert f"Over {insights['initiatives']} active published initiatives" in page
    assert "Fictional demonstration initiatives are included." in page


@pytest.mark.django_db
def test_no_radar_output_carries_personal_data(client):
    emails = set(
        Initiative.objects.exclude(contact_email="").values_list("contact_email", flat=True)
    )
    hashes = set(
        Initiative.objects.exclude(private_token_hash="").values_list(
            "private_token_hash", flat=True
        )
    )
    urls = [
        reverse("api:radar-gaps"),
        reverse("api:radar-gaps") + "?level=epci",
        reverse("api:radar-emerging"),
        reverse("api:radar-signals") + "?territory=33243",
        reverse("api:radar-insights"),
        reverse("api:radar-trends"),
        reverse("radar:home"),
        reverse("radar:territory", args=["33243"]),
        reverse("radar:territory-csv", args=["33243"]),
    ]
    assert len(emails) > 400
    for url in urls:
        body = client.get(url).content.decode()
        assert "@example." not in body, url
        assert not any(secret in body for secret in emails | hashes), url
