//! The `consent-api` executable as scripts run it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_consent-api");

fn content_dir() -> String {
    format!("{}/tests/fixtures/content", env!("CARGO_MANIFEST_DIR"))
}

// Guards the start-up contract xtask waits on: exactly one stdout line,
// `listening on http://127.0.0.1:PORT`, after which the server answers.
#[test]
fn announces_its_address_on_stdout_and_answers() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(BINARY)
        .args([
            "--dev",
            "--bind",
            "127.0.0.1:0",
            "--content-dir",
            &content_dir(),
        ])
        .arg("--data-dir")
        .arg(data.path().join("nested/data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );

    let started = Instant::now();
    let health = loop {
        match std::net::TcpStream::connect(url.trim_start_matches("http://")) {
            Ok(mut stream) => {
                use std::io::Write;
                write!(
                    stream,
                    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut response = String::new();
                stream.read_to_string(&mut response).unwrap();
                break response;
            }
            Err(error) if started.elapsed() > Duration::from_secs(10) => {
                panic!("no answer: {error}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(
        data.path().join("nested/data/consent.db").exists(),
        "the data directory and database are created"
    );

    child.kill().unwrap();
    child.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "nothing but the one line goes to stdout");
}

// Guards the refusals at the door: no signing key or ledger key outside --dev, and
// loopback CORS outside --dev, each with a clear message and a failing exit code.
#[test]
fn refuses_unsafe_configurations() {
    let cases: [(&[&str], &str); 4] = [
        (&[], "--signing-key"),
        (
            &[
                "--signing-key",
                "a-production-signing-key-of-at-least-32-bytes",
            ],
            "--ledger-key-file",
        ),
        (
            &[
                "--cors-loopback",
                "--signing-key",
                "a-production-signing-key-of-at-least-32-bytes",
            ],
            "--cors-loopback",
        ),
        (&["--dev", "--bogus"], "--bogus"),
    ];
    for (args, mention) in cases {
        let output = Command::new(BINARY)
            .args(args)
            .args(["--bind", "127.0.0.1:0", "--content-dir", &content_dir()])
            .env_remove("CONSENT_DEV")
            .env_remove("CONSENT_SIGNING_KEY")
            .env_remove("CONSENT_LEDGER_KEY_FILE")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} must not start");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(mention), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}
