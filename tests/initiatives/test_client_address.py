from django.test import RequestFactory

from initiatives.clients import client_address


def request(remote="10.0.0.1", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_address(request(forwarded="203.0.113.9")) == "10.0.0.1"


def test_behind_one_proxy_the_address_it_saw_is_used(settings):
    settings.TRUSTED_PROXIES = 1
    # The client wrote 198.51.100.7 itself; the proxy appended what it saw.
    assert client_address(request(forwarded="198.51.100.7, 203.0.113.9")) == "203.0.113.9"


def test_a_missing_header_behind_a_proxy_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_address(request(forwarded="203.0.113.9")) == "10.0.0.1"
