"""The JSON API: `POST /api/assess` with the `passage assess` contract, and its OpenAPI schema.

Bad input is a 400 whose body names each fact and what was expected (the engine's InputError); the body is
never logged. A small per-IP limiter in the cache bounds abuse (PASSAGE_API_RATE requests a minute).
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from passage.assess import check_language, read_facts_json
from passage.authz.routes import public_route
from passage.engine import InputError, Problem
from passage.engine.facts import parse_date
from passage.web import engine
from passage.web.views import today

WINDOW_SECONDS = 60


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it (docs/web.md).
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def rate_limited(request: HttpRequest) -> bool:
    """True when this IP has made more than PASSAGE_API_RATE requests in the current minute."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"api-rate:{_client_ip(request)}:{window}"
    cache.add(key, 0, WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this request as the first
        cache.set(key, 1, WINDOW_SECONDS * 2)
        count = 1
    return bool(count > settings.PASSAGE_API_RATE)


def _problems(error: InputError) -> JsonResponse:
    return JsonResponse(
        {
            "error": "invalid input",
            "problems": [
                {"field": p.field, "expected": p.expected, "found": p.found} for p in error.problems
            ],
        },
        status=400,
    )


# No CSRF token: the API is stateless (no cookie is read or set), so a cross-site request gains nothing
# it could not do directly; browsers' form posts are refused by the JSON content-type check below.
@csrf_exempt
@public_route(["POST"])
def assess_view(request: HttpRequest) -> HttpResponse:
    if rate_limited(request):
        response = JsonResponse(
            {"error": "too many requests", "retry_after_seconds": WINDOW_SECONDS}, status=429
        )
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    try:
        if request.content_type != "application/json":
            raise InputError(Problem("Content-Type", "application/json", request.content_type or "none"))
        lang = request.GET.get("lang", "en")
        check_language(lang)
        on = parse_date(request.GET["on"], "on") if "on" in request.GET else today()
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(Problem("body", "UTF-8 JSON", "bytes that are not UTF-8")) from None
        facts = read_facts_json(text, "body")
        subject = facts.get("subject", "person")
        assessment = engine.run(
            {k: v for k, v in facts.items() if k != "subject"},
            on,
            subject if isinstance(subject, str) else "?",
        )
    except InputError as error:
        return _problems(error)
    return JsonResponse(assessment.to_dict(lang), json_dumps_params={"ensure_ascii": False})


def openapi_schema() -> dict[str, Any]:
    problem = {
        "type": "object",
        "required": ["field", "expected", "found"],
        "properties": {
            "field": {"type": "string"},
            "expected": {"type": "string"},
            "found": {"type": "string"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Passage",
            "version": "1",
            "description": "What a person may lawfully do, as of a given day, and why. Not legal advice.",
        },
        "paths": {
            "/api/assess": {
                "post": {
                    "summary": "Assess facts as of a date",
                    "parameters": [
                        {
                            "name": "on",
                            "in": "query",
                            "schema": {"type": "string", "format": "date"},
                            "description": "the day to assess as of (default: today)",
                        },
                        {
                            "name": "lang",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["en", "fr", "be", "ru"]},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "description": "fact name -> value; see `passage facts`",
                                    "properties": {"subject": {"type": "string", "default": "person"}},
                                    "additionalProperties": True,
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "the Assessment",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["subject", "on", "options", "missing", "receipt"],
                                        "properties": {
                                            "subject": {"type": "string"},
                                            "on": {"type": "string", "format": "date"},
                                            "lang": {"type": "string"},
                                            "options": {"type": "array", "items": {"type": "object"}},
                                            "missing": {"type": "array", "items": {"type": "string"}},
                                            "sources": {"type": "object"},
                                            "receipt": {"type": "object"},
                                            "notice": {"type": "string"},
                                        },
                                    }
                                }
                            },
                        },
                        "400": {
                            "description": "bad input, each problem naming its fact",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["error", "problems"],
                                        "properties": {
                                            "error": {"type": "string"},
                                            "problems": {"type": "array", "items": problem},
                                        },
                                    }
                                }
                            },
                        },
                        "429": {"description": "rate limited"},
                    },
                }
            }
        },
    }


@public_route(["GET"])
def openapi_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(openapi_schema(), indent=1), content_type="application/json")
