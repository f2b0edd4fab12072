//! The custom stylesheet every generated site carries, as Isomer sites
//! write theirs.

/// Isomer's usual custom stylesheet: Sass whose variables come from
/// `_config.yml` through Liquid.
pub(super) const CUSTOM_SCSS: &str = r#"---
---

@charset "utf-8";

$primary: {{- site.colors.primary-color -}};
$secondary: {{- site.colors.secondary-color -}};
$primary-dark: darken($primary, 12%);

{%- for media-color in site.colors.media-colors -%}
  ${{- media-color.title -}}: {{- media-color.color -}};
{%- endfor -%}

.bp-button {
  border-radius: 6px;
  &.is-primary {
    background-color: $primary;
    &:hover { background-color: $primary-dark; }
  }
  &.is-secondary { background-color: $secondary; }
}

.bg-media-color {
  {%- for media-color in site.colors.media-colors -%}
    &-{{- forloop.index -}} {
      background-color: ${{- media-color.title -}};
      &:hover { background-color: darken(${{- media-color.title -}}, 8%); }
    }
  {%- endfor -%}
}

.content table th { background-color: lighten($primary, 50%); }
"#;
