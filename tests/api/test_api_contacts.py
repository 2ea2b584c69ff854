from parley.contacts.models import Contact, Organization, Segment


def test_a_contact_is_created_with_organization_segments_and_attributes(api_as, agent):
    acme = Organization.objects.create(name="Acme")
    vip = Segment.objects.create(name="VIP")

    response = api_as(agent).post("/contacts", {"name": "Rita Ruiz", "email": "Rita@Example.com", "organization_id": acme.pk,
                                                "segment_ids": [vip.pk], "custom_attributes": {"plan": "pro"}})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["email"], body["organization"]["name"], body["segments"][0]["name"]) == ("rita@example.com", "Acme", "VIP")
    assert body["custom_attributes"] == {"plan": "pro"}


def test_a_contact_shows_the_identities_it_wrote_from_and_can_be_found_by_text(api_as, agent, customer_message):
    contact = customer_message(source_id="shop-42", contact_name="Kim Lee").conversation.contact
    api = api_as(agent)

    body = api.get(f"/contacts/{contact.pk}").json()
    found = [c["id"] for c in api.get("/contacts", q="kim").json()["items"]]

    assert body["identities"][0]["kind"] == "external_id" and body["identities"][0]["source_id"] == "shop-42"
    assert found == [contact.pk]


def test_patch_changes_only_the_fields_given(api_as, agent):
    contact = Contact.objects.create(name="Old Name", email="old@example.com", phone="+3312")

    body = api_as(agent).patch(f"/contacts/{contact.pk}", {"name": "New Name", "segment_ids": []}).json()

    assert (body["name"], body["email"], body["phone"]) == ("New Name", "old@example.com", "+3312")


def test_merging_moves_identities_and_conversations_to_the_kept_contact(api_as, make_agent, customer_message):
    supervisor = make_agent("supervisor")
    keep = customer_message(source_id="a").conversation.contact
    gone_conversation = customer_message(source_id="b").conversation
    gone = gone_conversation.contact
    api = api_as(supervisor)

    response = api.post(f"/contacts/{keep.pk}/merge", {"merge_id": gone.pk})

    assert response.status_code == 200, response.json()
    assert sorted(i["source_id"] for i in response.json()["identities"]) == ["a", "b"]
    assert api.get(f"/conversations/{gone_conversation.pk}").json()["contact"]["id"] == keep.pk
    assert gone.pk not in [c["id"] for c in api.get("/contacts").json()["items"]]


def test_merging_with_an_unknown_contact_names_the_field_and_changes_nothing(api_as, admin, customer_message):
    keep = customer_message().conversation.contact

    response = api_as(admin).post(f"/contacts/{keep.pk}/merge", {"merge_id": 987654})

    assert response.status_code == 422
    assert "merge_id" in response.json()["extra"]


def test_a_contact_with_conversations_is_not_deleted_but_one_without_is(api_as, admin, customer_message):
    busy = customer_message().conversation.contact
    idle = Contact.objects.create(name="Nobody")
    api = api_as(admin)

    refused = api.delete(f"/contacts/{busy.pk}")
    deleted = api.delete(f"/contacts/{idle.pk}")

    assert refused.status_code == 409 and "merge" in refused.json()["message"]
    assert deleted.status_code == 204
    assert list(Contact.objects.values_list("pk", flat=True)) == [busy.pk]
