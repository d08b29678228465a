// @generated automatically by Diesel CLI.

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamptz,
        hits -> Int4,
    }
}

diesel::table! {
    user_sessions (token_hash) {
        token_hash -> Bytea,
        user_id -> Int8,
        auth_epoch -> Int4,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        user_agent -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        username -> Text,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        bio -> Text,
        home_zip -> Nullable<Text>,
        avatar_key -> Nullable<Text>,
        role -> Text,
        status -> Text,
        auth_epoch -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(user_sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(rate_limits, user_sessions, users,);
