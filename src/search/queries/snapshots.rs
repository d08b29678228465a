//! Snapshot tests of the SQL each plan shape generates. A change to a statement shows up as a
//! difference against `snapshots/<shape>.sql`: review it, then refresh the files with
//! `UPDATE_SNAPSHOTS=1 cargo test --lib snapshots`.

use std::path::PathBuf;

use crate::db::ids::ListingId;

use super::count::{count_statement, phrase_count_statement, reached_statement, sample_statement};
use super::filters::{AttributeFilter, Filters, Window};
use super::page::{SearchCursor, on_days, page_statement};
use crate::db::statement::Statement;
use crate::search::domain::Sort;

/// Compares `statement`'s SQL with the snapshot `name` (or writes it when updating).
fn assert_snapshot(name: &str, statement: &Statement) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/search/queries/snapshots")
        .join(format!("{name}.sql"));
    let sql = format!("{}\n", statement.text());
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &sql).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        sql, expected,
        "the SQL of {name} changed; if that is intended, run with UPDATE_SNAPSHOTS=1"
    );
}

fn words(text: &str) -> Filters {
    Filters {
        text: Some(text.to_owned()),
        ..Filters::default()
    }
}

const CURSOR: SearchCursor = SearchCursor {
    key: 1_700_000_000_000_000.0,
    id: ListingId(42),
};

#[test]
fn newest_first_walks_the_index() {
    assert_snapshot(
        "newest_walk",
        &page_statement(&words("bike"), Sort::Newest, None, 26),
    );
    assert_snapshot(
        "newest_walk_after",
        &page_statement(&words("bike"), Sort::Newest, Some(CURSOR), 26),
    );
}

#[test]
fn sparse_words_read_a_window_of_days() {
    let f = Filters {
        window: Some(Window {
            first_days: 3,
            oldest_day: 19_000,
            newest_day: 19_999,
        }),
        ..words("kayak")
    };
    assert_snapshot(
        "newest_window",
        &page_statement(&on_days(&f, 19_997, 19_999), Sort::Newest, None, 26),
    );
}

#[test]
fn few_matches_are_fetched_sorted_and_counted() {
    let f = Filters {
        few_matches: true,
        ..words("theremin")
    };
    assert_snapshot("few_matches", &page_statement(&f, Sort::Newest, None, 26));
    assert_snapshot(
        "few_matches_price",
        &page_statement(&f, Sort::PriceLow, None, 26),
    );
}

#[test]
fn phrases_go_by_their_word_pairs() {
    let f = Filters {
        by_pairs: true,
        ..words("\"used bike\"")
    };
    assert_snapshot(
        "phrase_by_pairs",
        &page_statement(&f, Sort::Newest, None, 26),
    );
    assert_snapshot(
        "phrase_count",
        &phrase_count_statement(&words("\"bike for sale\""), Sort::Newest, 1000, 20_000),
    );
}

#[test]
fn price_photos_category_and_details() {
    let f = Filters {
        category_id: Some(7),
        min_price: Some(10_000),
        max_price: Some(50_000),
        has_photos: true,
        attributes: vec![
            AttributeFilter::AtLeast("bedrooms".into(), 2.0),
            AttributeFilter::Equals("condition".into(), "good".into()),
            AttributeFilter::Is("cats_ok".into(), true),
        ],
        ..words("sofa")
    };
    assert_snapshot(
        "price_details_after",
        &page_statement(&f, Sort::PriceLow, Some(CURSOR), 26),
    );
    assert_snapshot("count_capped", &count_statement(&f, Sort::PriceHigh, 1000));
}

#[test]
fn circles_sparse_dense_and_nearest() {
    let circle = Filters {
        near: Some((40.75, -73.99, 40_233.6)),
        ..words("desk")
    };
    assert_snapshot(
        "circle_sparse",
        &page_statement(&circle, Sort::Newest, None, 26),
    );
    let dense = Filters {
        near_dense: true,
        ..circle.clone()
    };
    assert_snapshot(
        "circle_dense",
        &page_statement(&dense, Sort::Newest, None, 26),
    );
    assert_snapshot(
        "circle_nearest",
        &page_statement(&circle, Sort::Nearest, Some(CURSOR), 26),
    );
}

#[test]
fn best_match_samples_and_reach() {
    assert_snapshot(
        "best_match",
        &page_statement(&words("oak table"), Sort::BestMatch, Some(CURSOR), 26),
    );
    assert_snapshot("sample_newest", &sample_statement(&words("lamp"), 2000));
    assert_snapshot(
        "reached",
        &reached_statement(
            Some(CURSOR),
            SearchCursor {
                key: 1.6e15,
                id: ListingId(7),
            },
        ),
    );
}

#[test]
fn pinned_walks_scan_apart_from_their_checks_and_hide_every_value() {
    let f = Filters {
        pinned: true,
        category_id: Some(7),
        min_price: Some(5_000),
        max_price: Some(50_000),
        has_photos: true,
        near: Some((40.75, -73.99, 40_233.6)),
        near_dense: true,
        ..words("chair")
    };
    assert_snapshot(
        "pinned_walk_after",
        &page_statement(&f, Sort::Newest, Some(CURSOR), 26),
    );
    let section = Filters {
        pinned: true,
        section_id: Some(2),
        section_categories: vec![11, 12, 13],
        ..words("\"used bike\"")
    };
    assert_snapshot(
        "pinned_walk_section",
        &page_statement(&section, Sort::Newest, None, 21),
    );
}

#[test]
fn pinned_windows_read_the_words_index_alone() {
    let f = Filters {
        pinned: true,
        by_pairs: true,
        category_id: Some(7),
        max_price: Some(50_000),
        window: Some(Window {
            first_days: 3,
            oldest_day: 19_000,
            newest_day: 19_999,
        }),
        ..words("\"used bike\"")
    };
    assert_snapshot(
        "pinned_window",
        &page_statement(&on_days(&f, 19_997, 19_999), Sort::Newest, Some(CURSOR), 26),
    );
}
