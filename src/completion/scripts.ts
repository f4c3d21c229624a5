// The completion scripts `amz-token completion bash|zsh|fish` prints. Commands
// and flags are written into the script; profile and app names are asked for
// at completion time with `amz-token __complete profiles|apps` (config.json only:
// offline, no keychain), so they are always current.

import { allCommands, staticValues, type CommandSpec, type FlagSpec, type Shell, type ValueKind } from './spec.js';

export function completionScript(shell: Shell, spec: CommandSpec): string {
  switch (shell) {
    case 'bash':
      return bashScript(spec);
    case 'zsh':
      return zshScript(spec);
    case 'fish':
      return fishScript(spec);
  }
}

/** Single-quoted for sh, bash, zsh and fish alike ('it'\''s' in the POSIX shells). */
function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Shell functions shared by bash and zsh: plain `case` and `printf`, no arrays,
 * so that they mean the same in both. A command path is its words joined by
 * spaces ("" for the program, "app add").
 */
function sharedFunctions(spec: CommandSpec): string {
  const commands = allCommands(spec);
  const subcommands = commands
    .filter((command) => command.subcommands.length)
    .map((command) => `    ${shQuote(command.path.join(' '))}) printf '%s\\n' ${command.subcommands.map((s) => shQuote(s.name)).join(' ')} ;;`);
  const flags = commands.map((command) => {
    const names = [...command.flags, ...(command.path.length ? globalFlags(spec) : [])].flatMap((f) => f.names);
    return `    ${shQuote(command.path.join(' '))}) printf '%s\\n' ${names.map(shQuote).join(' ')} ;;`;
  });
  const valueFlags = commands.flatMap((command) =>
    command.flags.filter((f) => f.value).flatMap((f) => f.names.map((n) => `    ${shQuote(`${command.path.join(' ')}|${n}`)}) echo ${f.value} ;;`)),
  );
  // Global flags with a value are valid after any command.
  const globalValueFlags = spec.flags.filter((f) => f.value).flatMap((f) => f.names.map((n) => `    *${shQuote(`|${n}`)}) echo ${f.value} ;;`));
  const argumentKinds = commands.filter((command) => command.argument).map((command) => `    ${shQuote(command.path.join(' '))}) echo ${command.argument} ;;`);
  const fixed = (['marketplace', 'region', 'shell', 'store', 'code'] as ValueKind[]).map((k) => `    ${k}) printf '%s\\n' ${staticValues(k).join(' ')} ;;`);
  const choices = commands.flatMap((command) =>
    command.flags
      .filter((f) => f.choices)
      .flatMap((f) => f.names.map((n) => `    ${shQuote(`${command.path.join(' ')}|${n}`)}) printf '%s\\n' ${f.choices!.map(shQuote).join(' ')} ;;`)),
  );
  return `# Subcommands of a command path, one a line.
_amz_token_subcommands() {
  case $1 in
${subcommands.join('\n')}
  esac
}

# Flags of a command path (its own and the global ones), one a line.
_amz_token_flags() {
  case $1 in
${flags.join('\n')}
  esac
}

# What the value of flag $2 in command path $1 is; fails for a switch.
_amz_token_value_kind() {
  case "$1|$2" in
${[...valueFlags, ...globalValueFlags].join('\n')}
    *) return 1 ;;
  esac
}

# The values of choice flag $2 in command path $1, one a line.
_amz_token_choices() {
  case "$1|$2" in
${choices.join('\n')}
  esac
}

# What the positional argument of command path $1 is, if anything.
_amz_token_argument_kind() {
  case $1 in
${argumentKinds.join('\n')}
    *) return 1 ;;
  esac
}

# Candidates of a kind, one a line. $2 is the amz-token to ask for names.
_amz_token_values() {
  case $1 in
    profile) "$2" __complete profiles 2>/dev/null ;;
    app) "$2" __complete apps 2>/dev/null ;;
${fixed.join('\n')}
  esac
}

# The command path of words $2... (the words before the cursor, program name excluded).
# Flags are skipped with their values; sets _amz_token_path, and _amz_token_nargs to the
# number of positional arguments given after it (app set my-app: 1).
_amz_token_find_path() {
  local skip=0 w
  _amz_token_path=
  _amz_token_nargs=0
  shift
  for w in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case $w in
      --*=*) ;;
      -*) if _amz_token_value_kind "$_amz_token_path" "$w" >/dev/null; then skip=1; fi ;;
      *)
        if _amz_token_subcommands "$_amz_token_path" | grep -qxF -- "$w"; then
          _amz_token_path=\${_amz_token_path:+$_amz_token_path }$w
        else
          _amz_token_nargs=$((_amz_token_nargs + 1))
        fi
        ;;
    esac
  done
}

# Candidates for the word being typed ($1), after the words before it ($2 = previous word),
# in command path $_amz_token_path. Prints "files" when the shell should complete file names.
_amz_token_candidates() {
  local cur=$1 prev=$2 bin=$3 kind
  if kind=$(_amz_token_value_kind "$_amz_token_path" "$prev"); then
    case $kind in
      file) echo files ;;
      value) ;;
      choice) _amz_token_choices "$_amz_token_path" "$prev" ;;
      *) _amz_token_values "$kind" "$bin" ;;
    esac
    return
  fi
  case $cur in
    -*)
      _amz_token_flags "$_amz_token_path"
      return
      ;;
  esac
  if [ -n "$(_amz_token_subcommands "$_amz_token_path")" ]; then
    _amz_token_subcommands "$_amz_token_path"
  elif [ "$_amz_token_nargs" = 0 ] && kind=$(_amz_token_argument_kind "$_amz_token_path"); then
    _amz_token_values "$kind" "$bin"
  fi
}
`;
}

function bashScript(spec: CommandSpec): string {
  return `# bash completion for amz-token: commands, flags, profile and app names.
# Generated by \`amz-token completion bash\`. Load it now, or from ~/.bashrc:
#   source <(amz-token completion bash)
# or install it for bash-completion:
#   amz-token completion bash > ~/.local/share/bash-completion/completions/amz-token

${sharedFunctions(spec)}
_amz_token() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev= bin=\${COMP_WORDS[0]} candidates
  ((COMP_CWORD > 0)) && prev=\${COMP_WORDS[COMP_CWORD - 1]}
  # --flag=value: bash splits it at "=" (COMP_WORDBREAKS).
  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    prev=\${COMP_WORDS[COMP_CWORD - 2]}
  fi
  [[ $bin == "~/"* ]] && bin=$HOME/\${bin#"~/"}
  # After "--" (exec -- cmd ...) the words are the job's: a command, then what it takes.
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ \${COMP_WORDS[i]} == -- ]] || continue
    if ((COMP_CWORD == i + 1)); then
      COMPREPLY=($(compgen -c -- "$cur"))
    elif declare -F _command_offset >/dev/null; then
      _command_offset $((i + 1)) # bash-completion's: complete as that command would
    else
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return
  done
  _amz_token_find_path "\${COMP_WORDS[@]:0:COMP_CWORD}"
  candidates=$(_amz_token_candidates "$cur" "$prev" "$bin")
  if [[ $candidates == files ]]; then
    compopt -o filenames 2>/dev/null # a / after folders, spaces quoted
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
  fi
}

complete -F _amz_token amz-token
`;
}

function zshScript(spec: CommandSpec): string {
  return `#compdef amz-token
# zsh completion for amz-token: commands, flags, profile and app names.
# Generated by \`amz-token completion zsh\`. Load it after compinit, e.g. in ~/.zshrc:
#   source <(amz-token completion zsh)
# or install it on $fpath as _amz-token:
#   amz-token completion zsh > "\${fpath[1]}/_amz-token"

${sharedFunctions(spec)}
_amz_token() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} bin=\${words[1]} candidates
  local -a values
  bin=\${~bin}
  # After "--" (exec -- cmd ...) the words are the job's: complete them as zsh would on their own.
  local dashdash=\${words[(i)--]}
  if ((dashdash < CURRENT)); then
    shift $dashdash words
    ((CURRENT -= dashdash))
    _normal
    return
  fi
  _amz_token_find_path "\${(@)words[1,CURRENT-1]}"
  candidates=$(_amz_token_candidates "$cur" "$prev" "$bin")
  if [[ $candidates == files ]]; then
    _files
  else
    values=(\${(f)candidates})
    compadd -- $values
  fi
}

if [[ $funcstack[1] == _amz_token ]]; then
  _amz_token "$@"
else
  compdef _amz_token amz-token
fi
`;
}

/** fish quotes: single quotes, with \\ and \\' escaped. */
function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishScript(spec: CommandSpec): string {
  const commands = allCommands(spec);
  const valueFlags = [...new Set(commands.flatMap((command) => command.flags.filter((f) => f.value).flatMap((f) => f.names)))];
  const lines: string[] = [];
  const valueArgs = (kind: ValueKind): string => {
    switch (kind) {
      case 'file':
        return '-r -F';
      case 'value':
        return '-x';
      case 'profile':
        return `-x -a '(__amz_token_names profiles)'`;
      case 'app':
        return `-x -a '(__amz_token_names apps)'`;
      case 'choice':
        return '';
      default:
        return `-x -a ${fishQuote(staticValues(kind).join(' '))}`;
    }
  };
  for (const command of commands) {
    // Global flags apply everywhere; every other flag only right after its command.
    const global = new Set(command.path.length ? [] : globalFlags(spec));
    const at = `-n ${fishQuote(`__amz_token_at ${command.path.join(' ')}`.trimEnd())} `;
    for (const sub of command.subcommands) {
      lines.push(`complete -c amz-token -n ${fishQuote(`__amz_token_at ${command.path.join(' ')}`)} -a ${fishQuote(sub.name)} -d ${fishQuote(firstLine(sub.description))}`);
    }
    // The positional argument only while it is not given yet (app set my-app <Tab> offers no app again).
    const atArgument = `-n ${fishQuote(`__amz_token_at_argument ${command.path.join(' ')}`.trimEnd())} `;
    if (command.argument) lines.push(`complete -c amz-token ${atArgument}${valueArgs(command.argument)}`);
    for (const f of command.flags) {
      const names = [f.short ? `-s ${f.short.slice(1)}` : '', f.long ? `-l ${f.long.slice(2)}` : ''].filter(Boolean).join(' ');
      const value = f.choices ? `-x -a ${fishQuote(f.choices.join(' '))} ` : f.value ? valueArgs(f.value) + ' ' : '';
      lines.push(`complete -c amz-token ${global.has(f) ? "-n 'not __amz_token_after_dashdash' " : at}${names} ${value}-d ${fishQuote(firstLine(f.description))}`);
    }
  }
  return `# fish completion for amz-token: commands, flags, profile and app names.
# Generated by \`amz-token completion fish\`. Install it:
#   amz-token completion fish > ~/.config/fish/completions/amz-token.fish

# The command path before the cursor ("app add"), then the number of positional
# arguments after it; flags are skipped with their values. After "--" the words are
# a job's, and the path is "--".
function __amz_token_scan
    set -l value_flags ${valueFlags.map(fishQuote).join(' ')}
    set -l words (commandline -opc)
    set -l path
    set -l nargs 0
    set -l skip 0
    for w in $words[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case '--'
                echo --
                echo 0
                return
            case '--*=*'
            case '-*'
                contains -- $w $value_flags; and set skip 1
            case '*'
                if contains -- "$path $w" ${commands
                  .filter((command) => command.path.length)
                  .map((command) => fishQuote(` ${command.path.join(' ')}`))
                  .join(' ')}
                    set path "$path $w"
                else
                    set nargs (math $nargs + 1)
                end
        end
    end
    string trim -- "$path"
    echo $nargs
end

function __amz_token_at
    set -l scan (__amz_token_scan)
    test "$scan[1]" = "$argv"
end

function __amz_token_at_argument
    set -l scan (__amz_token_scan)
    test "$scan[1]" = "$argv"; and test "$scan[2]" = 0
end

function __amz_token_after_dashdash
    contains -- -- (commandline -opc)
end

# exec -- <Tab>: what fish completes for the job's own command line.
function __amz_token_job
    set -l tokens (commandline -opc)
    set -l i (contains -i -- -- $tokens)
    set -l job
    test $i -lt (count $tokens); and set job $tokens[(math $i + 1)..-1]
    __fish_complete_subcommand --commandline $job (commandline -ct)
end

function __amz_token_names
    set -l tokens (commandline -opc)
    command $tokens[1] __complete $argv 2>/dev/null
end

complete -c amz-token -f
complete -c amz-token -n __amz_token_after_dashdash -x -a '(__amz_token_job)'
${lines.join('\n')}
`;
}

/** The program's flags that every command accepts (all but --version and --help). */
function globalFlags(spec: CommandSpec): FlagSpec[] {
  return spec.flags.filter((f) => f.long !== '--version' && f.long !== '--help');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/\s+/g, ' ').trim();
}
