//! A store backed up while it serves, as docs/server.md says (`VACUUM
//! INTO` for SQLite; `pg_dump` and `pg_restore` into a new database under
//! pg.sh): a second server on the copy gives the same results, byte for
//! byte, and the same revisions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

/// `VACUUM INTO copy` on the store at `db` (a `sqlite:PATH` URL), as
/// `sqlite3 PATH "VACUUM INTO 'copy'"` does, while the server writes.
fn vacuum_into(db: &str, copy: &std::path::Path) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(db).await.unwrap();
        sqlx::query(&format!("VACUUM INTO '{}'", copy.display()))
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    });
}

/// `pg_dump --format=custom` of the database at `db`, restored with
/// `pg_restore` into a new database: its URL.
fn pg_dump_restore(db: &str, dir: &std::path::Path) -> String {
    let dump = dir.join("mizan.dump");
    let st = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--file", dump.to_str().unwrap(), db])
        .status()
        .unwrap();
    assert!(st.success());
    let (server, name) = db.rsplit_once('/').unwrap();
    let copy = format!("{name}_restored");
    let st = std::process::Command::new("psql")
        .args([
            &format!("{server}/postgres"),
            "-qc",
            &format!("CREATE DATABASE {copy}"),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let url = format!("{server}/{copy}");
    let st = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &url, dump.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    url
}

#[test]
fn a_copy_taken_while_serving_serves_the_same_results() {
    let s = Server::start();
    let admin = s.token(&["--role", "admin"]);
    for e in ["fahr", "ica", "moe"] {
        assert_eq!(s.put_example(&admin, e).status(), 201);
    }
    // Submissions go on being stored while the copy is taken.
    let writer = {
        let (http, url, tok) = (
            s.http.clone(),
            s.url("/cycles/uae-integration-2018/entities/mof/submission"),
            admin.clone(),
        );
        let body = std::fs::read_to_string(examples().join("mof.json")).unwrap();
        std::thread::spawn(move || {
            for _ in 0..20 {
                let r = http
                    .put(&url)
                    .bearer_auth(&tok)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        })
    };
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = if s.db.starts_with("sqlite:") {
        let copy = copy_dir.path().join("mizan.db");
        vacuum_into(&s.db, &copy);
        format!("sqlite:{}", copy.display())
    } else {
        pg_dump_restore(&s.db, copy_dir.path())
    };
    writer.join().unwrap();
    // The copy is a snapshot: every entity stored before it, mof with as
    // many revisions as were committed when it was taken.
    let b = Server::spawn(copy_dir, copy, root().join("rules"));
    let results = |srv: &Server| {
        srv.get(&admin, "/cycles/uae-integration-2018/results")
            .text()
            .unwrap()
    };
    let history = |srv: &Server, e: &str| -> serde_json::Value {
        srv.get(&admin, &format!("/cycles/uae-integration-2018/entities/{e}"))
            .json()
            .unwrap()
    };
    for e in ["fahr", "ica", "moe"] {
        assert_eq!(history(&b, e), history(&s, e));
    }
    let revs_copy = history(&b, "mof")["revisions"].as_array().map_or(0, Vec::len);
    let revs_live = history(&s, "mof")["revisions"].as_array().unwrap().len();
    assert!(
        revs_copy <= revs_live && revs_live == 20,
        "{revs_copy} {revs_live}"
    );
    if revs_copy > 0 {
        // mof's latest body is the same in both: the same results.
        assert_eq!(results(&b), results(&s));
    }
    // The same tokens (their hashes) are in the copy: `admin` worked above.
    // A copy is a store like another: it takes submissions.
    assert_eq!(b.put_example(&admin, "mohre").status(), 201);
}
