//! The README's `curl` lines work as written: each is run, in order, against
//! a fresh server, with `$TOKEN` an editor's token and `$LEARNER` a
//! learner's, and must answer data without errors.

use std::process::Command;

use serde_json::Value;

use crate::harness::{Server, binary, databases, workspace_root};

/// Every `curl` command of the README's `sh` blocks, continuation lines joined.
fn curl_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = !in_sh && line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        if pending.is_empty() && !line.starts_with("curl ") {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => pending.push_str(head),
            None => {
                pending.push_str(line);
                commands.push(std::mem::take(&mut pending));
            }
        }
    }
    commands
}

#[tokio::test]
async fn every_curl_line_of_the_readme_works_as_written() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let commands = curl_commands(&readme);
    assert!(commands.len() >= 10, "{commands:#?}");
    let server = Server::start(databases().await.remove(0), &[]);
    let url = server.database_url().unwrap().to_owned();
    let token = server.token("editor");
    let learner = Command::new(binary())
        .args([
            "learner",
            "create",
            "--label",
            "readme",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    let learner = String::from_utf8(learner.stdout).unwrap().trim().to_owned();
    for command in commands {
        let command = command.replace("http://127.0.0.1:8080", &server.base);
        let output = Command::new("sh")
            .args(["-c", &command])
            .env("TOKEN", &token)
            .env("LEARNER", &learner)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{command}\n{stdout}");
        match serde_json::from_str::<Value>(&stdout) {
            Ok(answer) => {
                assert!(answer.get("errors").is_none(), "{command}\n{answer}");
                assert!(answer["data"].is_object(), "{command}\n{answer}");
            }
            // The checklist is markdown, ticked with the learner's statuses.
            Err(_) => assert!(stdout.contains("- [x] "), "{command}\n{stdout}"),
        }
    }
}
