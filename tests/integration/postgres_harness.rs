//! The throwaway PostgreSQL cluster the store suites run on: it starts,
//! answers, and keeps each test's database apart from the others'.

use crate::support::postgres;

#[test]
fn each_test_gets_a_database_of_its_own() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let first = cluster.fresh_database();
    let second = cluster.fresh_database();
    assert_ne!(first, second);
    cluster.psql(&first, "CREATE TABLE only_here (n int)");
    cluster.psql(&first, "INSERT INTO only_here VALUES (7)");
    assert_eq!(cluster.psql(&first, "SELECT n FROM only_here"), "7");
    let seen = cluster.psql(
        &second,
        "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'",
    );
    assert_eq!(seen, "0");
}

#[test]
fn the_server_speaks_utf8() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let url = cluster.fresh_database();
    assert_eq!(cluster.psql(&url, "SHOW server_encoding"), "UTF8");
    let text = "Café Öffentlich, Москва, 北京";
    assert_eq!(cluster.psql(&url, &format!("SELECT '{text}'")), text);
}
