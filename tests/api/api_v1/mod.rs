//! The JSON API (`/api/v1`): tokens and accounts, the OpenAPI document, and the client the
//! tests use (plain HTTP requests with a bearer token, as any program would send).

mod auth;
mod contract;
mod document;
mod listing_writes;
mod listings;
mod messages;
mod people;
mod saved;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, TestUser};

/// A program talking to the API: no cookies, a bearer token when it has one.
pub struct ApiClient {
    client: reqwest::Client,
    address: String,
    pub token: Option<String>,
}

/// An answer: its status, headers and JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Asserts this is a problem document with `status`, and returns it.
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "{:?}", self.body);
        assert_eq!(self.content_type(), "application/problem+json");
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string(), "{:?}", self.body);
        &self.body
    }

    /// The fields a 422 problem names, in order.
    pub fn bad_fields(&self) -> Vec<String> {
        self.problem(422)["errors"]
            .as_array()
            .expect("a 422 problem lists its fields")
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl ApiClient {
    pub fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            address: app.address.clone(),
            token: None,
        }
    }

    pub fn with_token(app: &TestApp, token: &str) -> Self {
        let mut client = Self::new(app);
        client.token = Some(token.to_owned());
        client
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::answer(request).await
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.address));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// POSTs a multipart form (photo uploads).
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Answer {
        Self::answer(self.request(Method::POST, path).multipart(form)).await
    }

    async fn answer(request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("the API answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                panic!("not JSON ({err}): {}", String::from_utf8_lossy(&bytes))
            })
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    /// Signs `user` up through the API.
    pub async fn create_user(&self, user: &TestUser) -> Answer {
        self.post(
            "/users",
            serde_json::json!({
                "username": user.username,
                "email": user.email,
                "password": user.password,
            }),
        )
        .await
    }

    /// A token pair for `user` (the answer must be 200).
    pub async fn tokens_for(&self, user: &TestUser) -> Value {
        let answer = self
            .post(
                "/auth/token",
                serde_json::json!({"login": user.username, "password": user.password}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        answer.body
    }

    /// A client logged in as a new member with a confirmed address.
    pub async fn new_member(app: &TestApp) -> (ApiClient, TestUser) {
        let anonymous = Self::new(app);
        let user = TestUser::generate();
        assert_eq!(
            anonymous.create_user(&user).await.status,
            StatusCode::CREATED
        );
        app.confirm_address(&user);
        let tokens = anonymous.tokens_for(&user).await;
        let client = Self::with_token(app, tokens["access_token"].as_str().unwrap());
        (client, user)
    }
}
