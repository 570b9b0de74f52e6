"""The editor's use cases: edit the cast and the storyboard shot by shot, preview voices, pick panels. Shared by the
REST API and the studio; every row is reached through its owner. An edit changes only rows: what it changed shows
as stale panels and voices (db.mapping.shot_states), which "update stale" redraws and revoices."""

from studio.editor.characters import (
    character_public,
    choose_reference_image,
    create_character,
    delete_character,
    generate_reference_image,
    get_character,
    list_characters,
    preview_voice,
    set_reference_image,
    update_character,
)
from studio.editor.shots import (
    count_stale,
    delete_shot,
    insert_shot,
    list_shot_images,
    regenerate_shot,
    reorder_shots,
    revoice_shot,
    select_shot_image,
    update_shot,
    update_stale,
)

__all__ = [
    "character_public",
    "count_stale",
    "create_character",
    "delete_character",
    "delete_shot",
    "choose_reference_image",
    "generate_reference_image",
    "get_character",
    "insert_shot",
    "list_characters",
    "list_shot_images",
    "preview_voice",
    "regenerate_shot",
    "reorder_shots",
    "revoice_shot",
    "select_shot_image",
    "set_reference_image",
    "update_character",
    "update_shot",
    "update_stale",
]
