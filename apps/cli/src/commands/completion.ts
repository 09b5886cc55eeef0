/**
 * `understudy completion bash|zsh`: a completion script generated from the command tree itself, so a new
 * command, option or choice completes without anyone editing a script. Both shells share the same lookup
 * functions (plain `case` tables); only the entry point differs.
 */
import type { Command, Option } from 'commander';

interface CommandInfo {
  /** "demo fail": the command path without the program name. */
  path: string;
  subcommands: string[];
  options: string[];
  /** Options that take a value, with what completes it: choices, `__file__`, or nothing. */
  values: { flags: string[]; complete: string }[];
  /** Choices of the first positional argument, if it has any. */
  argChoices: string[];
}

const FILE_ARG = /<(file|dir|path)>/;

function optionFlags(o: Option): string[] {
  return [o.short, o.long].filter((f): f is string => typeof f === 'string');
}

function collect(cmd: Command, path: string, out: CommandInfo[]): void {
  const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const options = cmd.options.filter((o) => !o.hidden);
  const values = options
    .filter((o) => o.required || o.optional)
    .map((o) => ({
      flags: optionFlags(o),
      complete: o.argChoices?.join(' ') ?? (FILE_ARG.test(o.flags) ? '__file__' : ''),
    }));
  out.push({
    path,
    subcommands: subs.map((c) => c.name()),
    options: [...options.flatMap(optionFlags), '--help'],
    values,
    argChoices: cmd.registeredArguments[0]?.argChoices ?? [],
  });
  for (const c of subs) collect(c, path ? `${path} ${c.name()}` : c.name(), out);
}

/** Bash and zsh both read these tables: `case "$1" in "demo fail") echo ...;; esac`. */
function tables(infos: readonly CommandInfo[]): string {
  const fn = (name: string, rows: [string, string][]) =>
    [
      `_understudy_${name}() {`,
      '  case "$1" in',
      ...rows
        .filter(([, v]) => v !== '')
        .map(([k, v]) => `    ${JSON.stringify(k)}) echo ${JSON.stringify(v)} ;;`),
      '  esac',
      '}',
    ].join('\n');
  return [
    fn(
      'subcommands',
      infos.map((i) => [i.path, i.subcommands.join(' ')]),
    ),
    fn(
      'options',
      infos.map((i) => [i.path, i.options.join(' ')]),
    ),
    fn(
      'value_options',
      infos.map((i) => [i.path, i.values.flatMap((v) => v.flags).join(' ')]),
    ),
    fn(
      'choices',
      infos.flatMap((i) =>
        i.values.flatMap((v) => v.flags.map((f): [string, string] => [`${i.path}|${f}`, v.complete])),
      ),
    ),
    fn(
      'arg_choices',
      infos.map((i) => [i.path, i.argChoices.join(' ')]),
    ),
  ].join('\n\n');
}

/**
 * Walks the words before the cursor: command words extend the path, an option that takes a value skips
 * its value. Sets `cmd`. Shared by both shells (arrays are 0-based in bash, 1-based in zsh: the caller
 * passes the words from the first one after `understudy`).
 */
const WALK = `_understudy_walk() {
  cmd=""
  local w skip=0
  for w in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$w" in
      --*=*) continue ;;
      -*)
        case " $(_understudy_value_options "$cmd") " in *" $w "*) skip=1 ;; esac
        continue ;;
    esac
    case " $(_understudy_subcommands "$cmd") " in *" $w "*) cmd="\${cmd:+$cmd }$w" ;; esac
  done
}`;

const BASH = `_understudy() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd
  _understudy_walk "\${COMP_WORDS[@]:1:COMP_CWORD-1}"
  COMPREPLY=()
  if [ "$COMP_CWORD" -gt 1 ]; then
    case " $(_understudy_value_options "$cmd") " in
      *" $prev "*)
        local ch; ch="$(_understudy_choices "$cmd|$prev")"
        if [ "$ch" = "__file__" ]; then COMPREPLY=($(compgen -f -- "$cur"))
        elif [ -n "$ch" ]; then COMPREPLY=($(compgen -W "$ch" -- "$cur")); fi
        return 0 ;;
    esac
  fi
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$(_understudy_options "$cmd")" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "$(_understudy_subcommands "$cmd") $(_understudy_arg_choices "$cmd")" -- "$cur")) ;;
  esac
  return 0
}
complete -o default -F _understudy understudy`;

const ZSH = `_understudy() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" cmd ch
  _understudy_walk "\${(@)words[2,CURRENT-1]}"
  if (( CURRENT > 2 )); then
    case " $(_understudy_value_options "$cmd") " in
      *" $prev "*)
        ch="$(_understudy_choices "$cmd|$prev")"
        if [[ "$ch" == "__file__" ]]; then _files
        elif [[ -n "$ch" ]]; then compadd -- \${=ch}; fi
        return 0 ;;
    esac
  fi
  case "$cur" in
    -*) ch="$(_understudy_options "$cmd")" ;;
    *) ch="$(_understudy_subcommands "$cmd") $(_understudy_arg_choices "$cmd")" ;;
  esac
  compadd -- \${=ch}
}
compdef _understudy understudy`;

export function completionScript(shell: 'bash' | 'zsh', program: Command): string {
  const infos: CommandInfo[] = [];
  collect(program, '', infos);
  const head =
    shell === 'bash'
      ? '# understudy completion for bash: source <(understudy completion bash), or save it to\n# /etc/bash_completion.d/understudy'
      : '#compdef understudy\n# understudy completion for zsh: save it as _understudy in a directory of $fpath, or\n# source <(understudy completion zsh) after compinit';
  return `${head}\n\n${tables(infos)}\n\n${WALK}\n\n${shell === 'bash' ? BASH : ZSH}\n`;
}
