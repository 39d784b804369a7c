//! Stopping: on SIGTERM or SIGINT the server stops accepting, answers what
//! is in flight, completes open subscriptions, closes the database and
//! exits 0 within a bound.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Server, Subscriber, databases};

#[tokio::test]
async fn sigterm_answers_the_request_in_flight_completes_subscriptions_and_exits_zero() {
    for signal in ["TERM", "INT"] {
        let mut server = Server::start(databases().await.remove(0), &[]);
        let mut subscriber = Subscriber::connect(&server).await;
        subscriber
            .subscribe("watch", "subscription { catalogChanged { version } }")
            .await;
        // Laying out the backend roadmap takes a while in a debug build:
        // long enough to be in flight when the signal arrives.
        let client = reqwest::Client::new();
        let url = format!("{}/graphql", server.base);
        let slow = tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({ "query": r#"{ roadmap(slug: "backend") { diagram } }"# }))
                .send()
                .await
        });
        tokio::time::sleep(Duration::from_millis(150)).await;
        server.signal(signal);

        let answered = slow
            .await
            .unwrap()
            .expect("the request in flight is answered");
        assert_eq!(answered.status(), 200);
        let body: serde_json::Value = answered.json().await.unwrap();
        assert!(
            body["data"]["roadmap"]["diagram"]
                .as_str()
                .unwrap()
                .contains("</svg>"),
            "{body}"
        );
        let completed = subscriber.next_message().await;
        assert_eq!(completed["type"], "complete", "{completed}");
        assert_eq!(completed["id"], "watch");
        let status = server
            .wait_exit(Duration::from_secs(15))
            .expect("exits within the bound");
        assert!(status.success(), "SIG{signal}: {status}");
    }
}
