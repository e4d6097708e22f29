# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_caxton_global_optspecs
    string join \n config= data-dir= agents-dir= json h/help V/version
end

function __fish_caxton_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_caxton_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_caxton_using_subcommand
    set -l cmd (__fish_caxton_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c caxton -n "__fish_caxton_needs_command" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_needs_command" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_needs_command" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_needs_command" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_needs_command" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_needs_command" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "init" -d 'Create a data directory with a sample config and the example agents'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "agents" -d 'Validate, deploy, inspect and roll back agents'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "agent" -d 'Validate, deploy, inspect and roll back agents'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "memory" -d 'Knowledge-graph memory: entities, observations, relations, search'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "tools" -d 'List and run built-in tools'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "tool" -d 'List and run built-in tools'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "config" -d 'Show the effective server configuration'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "man" -d 'Print the man page, or write every page into a directory'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand init" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand init" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand init" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand init" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand init" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand init" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "validate" -d 'Check agent files: syntax, schema, references, templates, conflicts'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "validate-schema" -d 'Check an agent file against the JSON Schema of the format only'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "schema" -d 'Print the JSON Schema of the config-agent format'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "deploy" -d 'Validate an agent and deploy it into the agents directory, recording the version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "list" -d 'List deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "count" -d 'Print the number of deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "show" -d 'Show one agent: definition, status, deployed versions'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "capabilities" -d 'Show the capabilities an agent offers'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "diff" -d 'Field-level differences between the deployed agent and FILE'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "rollback" -d 'Restore a previously deployed version, byte for byte'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "debug" -d 'Show an agent\'s tools and its prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "test" -d 'Run an agent once with an input and print its JSON answer'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate" -s v -l verbose -d 'Show source excerpts for warnings and what each stage checked'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate" -l strict -d 'Treat warnings as errors'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate-schema" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate-schema" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate-schema" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate-schema" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate-schema" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from validate-schema" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from schema" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from schema" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from schema" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from schema" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from schema" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l source -d 'Copy this file into the agents directory (atomically) instead of deploying the file already there; a .wasm module deploys a WASM agent' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l max-memory -d 'Linear memory limit, e.g. 10MiB or 16MB [default: runtime.wasm_default_memory_bytes]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l max-cpu-ms -d 'CPU time limit per execution in milliseconds [default: runtime.wasm_default_cpu_millis]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l timeout -d 'Wall-clock limit per execution, e.g. 10s or 500ms [default: runtime.wasm_default_execution_time_ms]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l capability -d 'A capability the agent offers (repeatable)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l type -r -f -a "config\t''
wasm\t''"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l status -r -f -a "deployed\t'A valid file is in the agents directory'
failing\t'The file is invalid, but a good version was deployed before'
failed\t'The file is invalid and no good version exists'"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l detailed -d 'More columns: file, deployed time, versions, tools'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l names-only -d 'Print only agent ids, one per line'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l count -d 'Print only the number of matching agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -l type -r -f -a "config\t''
wasm\t''"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -l status -r -f -a "deployed\t'A valid file is in the agents directory'
failing\t'The file is invalid, but a good version was deployed before'
failed\t'The file is invalid and no good version exists'"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from show" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from show" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from show" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from capabilities" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from capabilities" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from capabilities" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from capabilities" -l list -d 'Print one capability per line'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from capabilities" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from capabilities" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from capabilities" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diff" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diff" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diff" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diff" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from rollback" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from rollback" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from rollback" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from rollback" -l to-previous-version -d 'Roll back to the version before the current one'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from rollback" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from rollback" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from rollback" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from debug" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from debug" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from debug" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from debug" -l show-tools -d 'Show each tool\'s description, argument schema and settings'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from debug" -l show-prompts -d 'Show the system and user prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from debug" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from debug" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from debug" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l input -d 'The request input, as JSON (a string needs quotes: \'"hello"\')' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l type -r -f -a "config\t''
wasm\t''"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l agent -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check agent files: syntax, schema, references, templates, conflicts'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "validate-schema" -d 'Check an agent file against the JSON Schema of the format only'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "schema" -d 'Print the JSON Schema of the config-agent format'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "deploy" -d 'Validate an agent and deploy it into the agents directory, recording the version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "list" -d 'List deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "count" -d 'Print the number of deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one agent: definition, status, deployed versions'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "capabilities" -d 'Show the capabilities an agent offers'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Field-level differences between the deployed agent and FILE'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "rollback" -d 'Restore a previously deployed version, byte for byte'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "debug" -d 'Show an agent\'s tools and its prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run an agent once with an input and print its JSON answer'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "validate" -d 'Check agent files: syntax, schema, references, templates, conflicts'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "validate-schema" -d 'Check an agent file against the JSON Schema of the format only'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "schema" -d 'Print the JSON Schema of the config-agent format'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "deploy" -d 'Validate an agent and deploy it into the agents directory, recording the version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "list" -d 'List deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "count" -d 'Print the number of deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "show" -d 'Show one agent: definition, status, deployed versions'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "capabilities" -d 'Show the capabilities an agent offers'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "diff" -d 'Field-level differences between the deployed agent and FILE'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "rollback" -d 'Restore a previously deployed version, byte for byte'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "debug" -d 'Show an agent\'s tools and its prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "test" -d 'Run an agent once with an input and print its JSON answer'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test resource-usage sandbox-status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate" -s v -l verbose -d 'Show source excerpts for warnings and what each stage checked'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate" -l strict -d 'Treat warnings as errors'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate-schema" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate-schema" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate-schema" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate-schema" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate-schema" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from validate-schema" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from schema" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from schema" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from schema" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from schema" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from schema" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l source -d 'Copy this file into the agents directory (atomically) instead of deploying the file already there; a .wasm module deploys a WASM agent' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l max-memory -d 'Linear memory limit, e.g. 10MiB or 16MB [default: runtime.wasm_default_memory_bytes]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l max-cpu-ms -d 'CPU time limit per execution in milliseconds [default: runtime.wasm_default_cpu_millis]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l timeout -d 'Wall-clock limit per execution, e.g. 10s or 500ms [default: runtime.wasm_default_execution_time_ms]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l capability -d 'A capability the agent offers (repeatable)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l type -r -f -a "config\t''
wasm\t''"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l status -r -f -a "deployed\t'A valid file is in the agents directory'
failing\t'The file is invalid, but a good version was deployed before'
failed\t'The file is invalid and no good version exists'"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l detailed -d 'More columns: file, deployed time, versions, tools'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l names-only -d 'Print only agent ids, one per line'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l count -d 'Print only the number of matching agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -l type -r -f -a "config\t''
wasm\t''"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -l status -r -f -a "deployed\t'A valid file is in the agents directory'
failing\t'The file is invalid, but a good version was deployed before'
failed\t'The file is invalid and no good version exists'"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from show" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from show" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from show" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from capabilities" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from capabilities" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from capabilities" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from capabilities" -l list -d 'Print one capability per line'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from capabilities" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from capabilities" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from capabilities" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diff" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diff" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diff" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diff" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from rollback" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from rollback" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from rollback" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from rollback" -l to-previous-version -d 'Roll back to the version before the current one'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from rollback" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from rollback" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from rollback" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from debug" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from debug" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from debug" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from debug" -l show-tools -d 'Show each tool\'s description, argument schema and settings'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from debug" -l show-prompts -d 'Show the system and user prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from debug" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from debug" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from debug" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l input -d 'The request input, as JSON (a string needs quotes: \'"hello"\')' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l type -r -f -a "config\t''
wasm\t''"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l agent -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check agent files: syntax, schema, references, templates, conflicts'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "validate-schema" -d 'Check an agent file against the JSON Schema of the format only'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "schema" -d 'Print the JSON Schema of the config-agent format'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "deploy" -d 'Validate an agent and deploy it into the agents directory, recording the version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "list" -d 'List deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "count" -d 'Print the number of deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one agent: definition, status, deployed versions'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "capabilities" -d 'Show the capabilities an agent offers'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Field-level differences between the deployed agent and FILE'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "rollback" -d 'Restore a previously deployed version, byte for byte'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "debug" -d 'Show an agent\'s tools and its prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run an agent once with an input and print its JSON answer'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "create-entities" -d 'Create entities: {"entities": [{"name", "entityType", "observations": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "create-relations" -d 'Create relations: {"relations": [{"from", "to", "relationType"}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "add-observations" -d 'Add observations: {"observations": [{"entityName", "contents": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "delete-entities" -d 'Delete entities and their relations: {"entityNames": [...]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "delete-observations" -d 'Delete observations: {"deletions": [{"entityName", "observations": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "delete-relations" -d 'Delete relations: {"relations": [{"from", "to", "relationType"}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "read-graph" -d 'Print the whole visible graph as JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "search-nodes" -d 'Entities matching a query, as a graph: {"query": "..."}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "open-nodes" -d 'Entities by name, as a graph: {"names": [...]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "search" -d 'Search memory'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "status" -d 'Health of the memory system; prints `healthy` when every check passes'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "emergency-diagnosis" -d 'Full integrity check, where the space goes, and what to do next'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "usage" -d 'Entities stored as a share of `memory.max_entities`'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "capacity-check" -d 'Exit 1 when entity usage is at or above the given percentage'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "reindex" -d 'Embed every observation still waiting for a vector'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "optimize" -d 'Compact the database, rebuild search indexes, recompute vectors'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "export" -d 'Write the whole memory as JSON or JSON Lines'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "import" -d 'Read an export into memory, merging with what is there'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "graph" -d 'An entity and its neighbours up to DEPTH relation hops'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis usage capacity-check reindex optimize export import graph help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l limit -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l type -d 'Only entities of this type' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l in-scope -d 'Only entities in this scope' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l min-similarity -d 'Drop semantic matches below this cosine similarity' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from status" -l detailed -d 'Also run SQLite\'s quick_check and show every figure'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-diagnosis" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-diagnosis" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-diagnosis" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-diagnosis" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-diagnosis" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-diagnosis" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from usage" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from usage" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from usage" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from usage" -l percentage -d 'Print only the integer percentage (for scripts)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from usage" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from usage" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from usage" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from capacity-check" -l warn-percentage -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from capacity-check" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from capacity-check" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from capacity-check" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from capacity-check" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from capacity-check" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from capacity-check" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -l verify-after -d 'Afterwards, check that every observation has a vector'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l max-duration -d 'Time budget for --incremental, e.g. 30s' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l vacuum-sqlite -d 'VACUUM the SQLite file (needs free disk equal to its size)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l rebuild-index -d 'Rebuild the full-text index and SQLite\'s indexes and statistics'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l recompute-embeddings -d 'Drop every vector and embed all observations again'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l incremental -d 'Only bounded work that never blocks writers for long (index merges)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l format -r -f -a "json\t''
jsonl\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l output -d 'Output file (written atomically) [default: standard output]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l embeddings -d 'Include the stored vectors'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l format -r -f -a "json\t''
jsonl\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l depth -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t''
workspace\t''
global\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "create-entities" -d 'Create entities: {"entities": [{"name", "entityType", "observations": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "create-relations" -d 'Create relations: {"relations": [{"from", "to", "relationType"}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "add-observations" -d 'Add observations: {"observations": [{"entityName", "contents": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "delete-entities" -d 'Delete entities and their relations: {"entityNames": [...]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "delete-observations" -d 'Delete observations: {"deletions": [{"entityName", "observations": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "delete-relations" -d 'Delete relations: {"relations": [{"from", "to", "relationType"}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "read-graph" -d 'Print the whole visible graph as JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "search-nodes" -d 'Entities matching a query, as a graph: {"query": "..."}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "open-nodes" -d 'Entities by name, as a graph: {"names": [...]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "search" -d 'Search memory'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "status" -d 'Health of the memory system; prints `healthy` when every check passes'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "emergency-diagnosis" -d 'Full integrity check, where the space goes, and what to do next'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "usage" -d 'Entities stored as a share of `memory.max_entities`'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "capacity-check" -d 'Exit 1 when entity usage is at or above the given percentage'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "reindex" -d 'Embed every observation still waiting for a vector'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "optimize" -d 'Compact the database, rebuild search indexes, recompute vectors'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the whole memory as JSON or JSON Lines'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "import" -d 'Read an export into memory, merging with what is there'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "graph" -d 'An entity and its neighbours up to DEPTH relation hops'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -f -a "list" -d 'List tools with their descriptions (and argument schemas with --json)'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -f -a "run" -d 'Run a tool directly, as an operator or as a given agent would'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and not __fish_seen_subcommand_from list run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from list" -l available -d 'Only tools that can be used right now'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -l args -d 'Arguments as a JSON object, `@FILE` to read them from a file, or `-` for stdin' -r
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -l agent -d 'Run with this agent\'s [tool_config] and sandbox (its workspace)' -r
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -l tool-config -d 'Tool settings as a JSON object, e.g. \'{"allow_private_networks": true}\'' -r
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -l workspace -d 'Working directory for file_storage and chart output [default: current directory]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from help" -f -a "list" -d 'List tools with their descriptions (and argument schemas with --json)'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run a tool directly, as an operator or as a given agent would'
complete -c caxton -n "__fish_caxton_using_subcommand tools; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -f -a "list" -d 'List tools with their descriptions (and argument schemas with --json)'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -f -a "run" -d 'Run a tool directly, as an operator or as a given agent would'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and not __fish_seen_subcommand_from list run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from list" -l available -d 'Only tools that can be used right now'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -l args -d 'Arguments as a JSON object, `@FILE` to read them from a file, or `-` for stdin' -r
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -l agent -d 'Run with this agent\'s [tool_config] and sandbox (its workspace)' -r
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -l tool-config -d 'Tool settings as a JSON object, e.g. \'{"allow_private_networks": true}\'' -r
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -l workspace -d 'Working directory for file_storage and chart output [default: current directory]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from help" -f -a "list" -d 'List tools with their descriptions (and argument schemas with --json)'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run a tool directly, as an operator or as a given agent would'
complete -c caxton -n "__fish_caxton_using_subcommand tool; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand config; and not __fish_seen_subcommand_from show help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand config; and not __fish_seen_subcommand_from show help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand config; and not __fish_seen_subcommand_from show help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand config; and not __fish_seen_subcommand_from show help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand config; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand config; and not __fish_seen_subcommand_from show help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print every setting, its value and where the value came from'
complete -c caxton -n "__fish_caxton_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand config; and __fish_seen_subcommand_from show" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand config; and __fish_seen_subcommand_from show" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every setting, its value and where the value came from'
complete -c caxton -n "__fish_caxton_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand completions" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand completions" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand completions" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand completions" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand completions" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand completions" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand man" -l dir -d 'Write caxton.1 and one page per subcommand into DIR' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand man" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand man" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand man" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand man" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand man" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand man" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory tools config completions man help" -f -a "init" -d 'Create a data directory with a sample config and the example agents'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory tools config completions man help" -f -a "agents" -d 'Validate, deploy, inspect and roll back agents'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory tools config completions man help" -f -a "memory" -d 'Knowledge-graph memory: entities, observations, relations, search'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory tools config completions man help" -f -a "tools" -d 'List and run built-in tools'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory tools config completions man help" -f -a "config" -d 'Show the effective server configuration'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory tools config completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory tools config completions man help" -f -a "man" -d 'Print the man page, or write every page into a directory'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory tools config completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "validate" -d 'Check agent files: syntax, schema, references, templates, conflicts'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "validate-schema" -d 'Check an agent file against the JSON Schema of the format only'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "schema" -d 'Print the JSON Schema of the config-agent format'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "deploy" -d 'Validate an agent and deploy it into the agents directory, recording the version'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "list" -d 'List deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "count" -d 'Print the number of deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "show" -d 'Show one agent: definition, status, deployed versions'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "capabilities" -d 'Show the capabilities an agent offers'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "diff" -d 'Field-level differences between the deployed agent and FILE'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "rollback" -d 'Restore a previously deployed version, byte for byte'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "debug" -d 'Show an agent\'s tools and its prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "test" -d 'Run an agent once with an input and print its JSON answer'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "create-entities" -d 'Create entities: {"entities": [{"name", "entityType", "observations": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "create-relations" -d 'Create relations: {"relations": [{"from", "to", "relationType"}]}'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "add-observations" -d 'Add observations: {"observations": [{"entityName", "contents": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "delete-entities" -d 'Delete entities and their relations: {"entityNames": [...]}'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "delete-observations" -d 'Delete observations: {"deletions": [{"entityName", "observations": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "delete-relations" -d 'Delete relations: {"relations": [{"from", "to", "relationType"}]}'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "read-graph" -d 'Print the whole visible graph as JSON'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "search-nodes" -d 'Entities matching a query, as a graph: {"query": "..."}'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "open-nodes" -d 'Entities by name, as a graph: {"names": [...]}'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "search" -d 'Search memory'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "status" -d 'Health of the memory system; prints `healthy` when every check passes'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "emergency-diagnosis" -d 'Full integrity check, where the space goes, and what to do next'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "usage" -d 'Entities stored as a share of `memory.max_entities`'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "capacity-check" -d 'Exit 1 when entity usage is at or above the given percentage'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "reindex" -d 'Embed every observation still waiting for a vector'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "optimize" -d 'Compact the database, rebuild search indexes, recompute vectors'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "export" -d 'Write the whole memory as JSON or JSON Lines'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "import" -d 'Read an export into memory, merging with what is there'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "graph" -d 'An entity and its neighbours up to DEPTH relation hops'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from tools" -f -a "list" -d 'List tools with their descriptions (and argument schemas with --json)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from tools" -f -a "run" -d 'Run a tool directly, as an operator or as a given agent would'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print every setting, its value and where the value came from'
