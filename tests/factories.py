"""Plain async factories: personas and their content, made through the public API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response

PASSWORD = "correct horse battery"


@dataclass
class Persona:
    client: AsyncClient
    username: str
    email: str
    password: str
    token: str

    @classmethod
    async def register(cls, client: AsyncClient, username: str) -> Persona:
        email = f"{username}@example.com"
        response = await client.post(
            "/api/users",
            json={"user": {"username": username, "email": email, "password": PASSWORD}},
        )
        assert response.status_code == 201, response.text
        return cls(client, username, email, PASSWORD, response.json()["user"]["token"])

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    async def get(self, path: str, **kwargs: Any) -> Response:
        return await self.client.get(path, headers=self.auth, **kwargs)

    async def post(self, path: str, json: Any = None) -> Response:
        return await self.client.post(path, headers=self.auth, json=json)

    async def put(self, path: str, json: Any = None) -> Response:
        return await self.client.put(path, headers=self.auth, json=json)

    async def delete(self, path: str) -> Response:
        return await self.client.delete(path, headers=self.auth)

    async def write(
        self,
        title: str = "How to train your dragon",
        description: str = "Ever wonder how?",
        body: str = "It takes a Jacobian",
        tags: list[str] | None = None,
    ) -> dict[str, Any]:
        payload = {"title": title, "description": description, "body": body}
        if tags is not None:
            payload["tagList"] = tags  # type: ignore[assignment]
        response = await self.post("/api/articles", {"article": payload})
        assert response.status_code == 201, response.text
        article: dict[str, Any] = response.json()["article"]
        return article

    async def comment(self, slug: str, body: str = "Nice one") -> dict[str, Any]:
        response = await self.post(f"/api/articles/{slug}/comments", {"comment": {"body": body}})
        assert response.status_code == 201, response.text
        comment: dict[str, Any] = response.json()["comment"]
        return comment

    async def follow(self, other: Persona) -> None:
        response = await self.post(f"/api/profiles/{other.username}/follow")
        assert response.status_code == 200, response.text

    async def favorite(self, slug: str) -> dict[str, Any]:
        response = await self.post(f"/api/articles/{slug}/favorite")
        assert response.status_code == 200, response.text
        article: dict[str, Any] = response.json()["article"]
        return article
