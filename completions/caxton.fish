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
complete -c caxton -n "__fish_caxton_needs_command" -f -a "mcp" -d 'Serve Caxton\'s memory to MCP clients (`mcp serve`: stdio)'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "tools" -d 'List and run built-in tools'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "tool" -d 'List and run built-in tools'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "config" -d 'Show the effective server configuration'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "man" -d 'Print the man page, or write every page into a directory'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "backup" -d 'Back up the store, verify a backup, prune old backups'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "restore" -d 'Restore a verified backup (refused while a daemon uses the data directory)'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "storage" -d 'Verify and repair the database, safe mode, corruption level'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "server" -d 'Run the daemon (`server start`) or check on it (`server status`)'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "shutdown" -d 'Stop the running daemon (waits until it has exited)'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "reload" -d 'Rescan the agents directory in the running daemon now'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "message" -d 'Send messages to agents by capability; recover undelivered ones'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "messages" -d 'Send messages to agents by capability; recover undelivered ones'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "conversations" -d 'Conversations between agents: list them, show one as a tree'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "conversation" -d 'Conversations between agents: list them, show one as a tree'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "capabilities" -d 'Capabilities of the deployed agents, who offers them, their health'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "capability" -d 'Capabilities of the deployed agents, who offers them, their health'
complete -c caxton -n "__fish_caxton_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand init" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand init" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand init" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand init" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand init" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand init" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "validate" -d 'Check agent files: syntax, schema, references, templates, conflicts'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "validate-schema" -d 'Check an agent file against the JSON Schema of the format only'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "schema" -d 'Print the JSON Schema of the config-agent format'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "deploy" -d 'Validate an agent and deploy it into the agents directory, recording the version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "list" -d 'List deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "count" -d 'Print the number of deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "show" -d 'Show one agent: definition, status, deployed versions'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "capabilities" -d 'Show the capabilities an agent offers'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "diff" -d 'Field-level differences between the deployed agent and FILE'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "rollback" -d 'Restore a previously deployed version, byte for byte'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "debug" -d 'Show an agent\'s tools and its prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "test" -d 'Run an agent once and print its answer (config agents ask their LLM)'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "test-local" -d 'Run a config agent file once without deploying it'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "logs" -d 'Show a config agent\'s run log: runs, tool calls, denials, errors'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "metrics" -d 'Runs, errors, P50/P99 latency and tokens of a config agent'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "diagnose" -d 'Check a config agent: definition, provider, tools, memory, recent failures'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "status" -d 'Live status of one agent in the running daemon (exit 3 when it is not running), or counts of all by status and type'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "ping" -d 'Check that the daemon has a live version of the agent that answers (exit 3 when it has none, 6 when no answer comes in time)'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "reload" -d 'Reload an agent (or all config agents) in the running daemon now'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "reload-status" -d 'Recent reload events and agents that are not running, from the daemon'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "watch" -d 'Development loop: validate agent files in DIR as they change and (with --auto-reload) make them live in the running daemon; runs until Ctrl-C'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l timeout -d 'WASM: wall-clock limit per execution, e.g. 10s or 500ms [default: runtime.wasm_default_execution_time_ms]. Config agent: wait up to this long for the daemon to report the new version live' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l capability -d 'A capability the agent offers (repeatable)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l plugin-config -d 'Extism plug-in: a config value its `config::get(KEY)` returns (repeatable)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l handler -d 'Extism plug-in: the function messages call [default: handle]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l http-client -d 'Extism plug-in: the http_client tool\'s settings for `http_request` as JSON, e.g. \'{"allowed_domains": ["api.example.com"]}\'' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l network-access -d 'Extism plug-in: let `http_request` out, under the --http-client policy'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l hot-reload -d 'Then make it live in the running daemon now and report its status'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from deploy" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l type -r -f -a "config\t'A TOML file in the agents directory, run by the LLM loop'
wasm\t'A WebAssembly module deployed to the store, run in the sandbox'"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l status -d '`running` asks the daemon (nothing is running when it is not); the others are the agent files\' status' -r -f -a "running\t'Live in the daemon with recent executions succeeding'
deployed\t'A valid file is in the agents directory'
failing\t'The file is invalid, but a good version was deployed before'
failed\t'The file is invalid and no good version exists'"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l detailed -d 'Live columns from the daemon (uptime, memory, CPU), then deployed time, versions, tools'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l names-only -d 'Print only agent ids, one per line'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l count -d 'Print only the number of matching agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -l type -r -f -a "config\t'A TOML file in the agents directory, run by the LLM loop'
wasm\t'A WebAssembly module deployed to the store, run in the sandbox'"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from count" -l status -d '`running` asks the daemon (nothing is running when it is not); the others are the agent files\' status' -r -f -a "running\t'Live in the daemon with recent executions succeeding'
deployed\t'A valid file is in the agents directory'
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
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from show" -l include-metrics -d 'Add the daemon\'s live metrics (status, uptime, memory, CPU, runs)'
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
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l query -d 'The request text' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l input -d 'The request as JSON: a WASM agent\'s input, or for a config agent an object whose keys become template variables (text that is not JSON is the request text)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l timeout -d 'Overall limit for a config agent\'s run, e.g. 30s [default: the agent\'s [conversation] timeout, then runtime.agent_timeout]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l function -d 'The Extism plug-in function to call [default: the deployed handler, `handle`]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -l query -d 'The request text' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -l input -d 'The request as JSON: a WASM agent\'s input, or for a config agent an object whose keys become template variables (text that is not JSON is the request text)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -l timeout -d 'Overall limit for the run, e.g. 10s' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from test-local" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from logs" -l tail -d 'Show the last N lines' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from logs" -l level -d 'Show only lines at this level or worse' -r -f -a "error\t''
warn\t''
info\t''"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from logs" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from logs" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from logs" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from logs" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from metrics" -l last -d 'The window, e.g. 1h, 30m, 7d' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from metrics" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from metrics" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from metrics" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from metrics" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from metrics" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from metrics" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diagnose" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diagnose" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diagnose" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diagnose" -l show-errors -d 'List the most recent failed runs with their errors'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diagnose" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diagnose" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from diagnose" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l type -r -f -a "config\t'A TOML file in the agents directory, run by the LLM loop'
wasm\t'A WebAssembly module deployed to the store, run in the sandbox'"
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from resource-usage" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l agent -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from sandbox-status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from status" -l summary -d 'Counts by status and by type'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from ping" -l timeout -d 'Give up after this long, e.g. 5s' -r
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from ping" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from ping" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from ping" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from ping" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from ping" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from ping" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -l all-config -d 'Reload every config agent'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -l validate-first -d 'Check the file(s) first; reload nothing if invalid'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -l staged -d 'Validate, reload, then check the agent runs (implies --validate-first)'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -l rollback-on-error -d 'If the new version is invalid or does not run, restore the last deployed version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload-status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload-status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload-status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload-status" -l watch -d 'Reprint every 2 seconds until Ctrl-C'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload-status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload-status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from reload-status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -l auto-reload -d 'Ask the running daemon (if any) to reload each changed valid agent'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -l ignore-errors -d 'Keep watching after an invalid file (default: exit 3)'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -l log-changes -d 'Print a timestamped line for every changed or removed file'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from watch" -s V -l version -d 'Print version'
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
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run an agent once and print its answer (config agents ask their LLM)'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "test-local" -d 'Run a config agent file once without deploying it'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Show a config agent\'s run log: runs, tool calls, denials, errors'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "metrics" -d 'Runs, errors, P50/P99 latency and tokens of a config agent'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "diagnose" -d 'Check a config agent: definition, provider, tools, memory, recent failures'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "status" -d 'Live status of one agent in the running daemon (exit 3 when it is not running), or counts of all by status and type'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "ping" -d 'Check that the daemon has a live version of the agent that answers (exit 3 when it has none, 6 when no answer comes in time)'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "reload" -d 'Reload an agent (or all config agents) in the running daemon now'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "reload-status" -d 'Recent reload events and agents that are not running, from the daemon'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "watch" -d 'Development loop: validate agent files in DIR as they change and (with --auto-reload) make them live in the running daemon; runs until Ctrl-C'
complete -c caxton -n "__fish_caxton_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "validate" -d 'Check agent files: syntax, schema, references, templates, conflicts'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "validate-schema" -d 'Check an agent file against the JSON Schema of the format only'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "schema" -d 'Print the JSON Schema of the config-agent format'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "deploy" -d 'Validate an agent and deploy it into the agents directory, recording the version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "list" -d 'List deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "count" -d 'Print the number of deployed agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "show" -d 'Show one agent: definition, status, deployed versions'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "capabilities" -d 'Show the capabilities an agent offers'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "diff" -d 'Field-level differences between the deployed agent and FILE'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "rollback" -d 'Restore a previously deployed version, byte for byte'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "debug" -d 'Show an agent\'s tools and its prompts rendered with sample variables'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "test" -d 'Run an agent once and print its answer (config agents ask their LLM)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "test-local" -d 'Run a config agent file once without deploying it'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "logs" -d 'Show a config agent\'s run log: runs, tool calls, denials, errors'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "metrics" -d 'Runs, errors, P50/P99 latency and tokens of a config agent'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "diagnose" -d 'Check a config agent: definition, provider, tools, memory, recent failures'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "status" -d 'Live status of one agent in the running daemon (exit 3 when it is not running), or counts of all by status and type'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "ping" -d 'Check that the daemon has a live version of the agent that answers (exit 3 when it has none, 6 when no answer comes in time)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "reload" -d 'Reload an agent (or all config agents) in the running daemon now'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "reload-status" -d 'Recent reload events and agents that are not running, from the daemon'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "watch" -d 'Development loop: validate agent files in DIR as they change and (with --auto-reload) make them live in the running daemon; runs until Ctrl-C'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and not __fish_seen_subcommand_from validate validate-schema schema deploy list count show capabilities diff rollback debug test test-local logs metrics diagnose resource-usage sandbox-status status ping reload reload-status watch help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l timeout -d 'WASM: wall-clock limit per execution, e.g. 10s or 500ms [default: runtime.wasm_default_execution_time_ms]. Config agent: wait up to this long for the daemon to report the new version live' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l capability -d 'A capability the agent offers (repeatable)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l plugin-config -d 'Extism plug-in: a config value its `config::get(KEY)` returns (repeatable)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l handler -d 'Extism plug-in: the function messages call [default: handle]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l http-client -d 'Extism plug-in: the http_client tool\'s settings for `http_request` as JSON, e.g. \'{"allowed_domains": ["api.example.com"]}\'' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l network-access -d 'Extism plug-in: let `http_request` out, under the --http-client policy'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l hot-reload -d 'Then make it live in the running daemon now and report its status'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from deploy" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l type -r -f -a "config\t'A TOML file in the agents directory, run by the LLM loop'
wasm\t'A WebAssembly module deployed to the store, run in the sandbox'"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l status -d '`running` asks the daemon (nothing is running when it is not); the others are the agent files\' status' -r -f -a "running\t'Live in the daemon with recent executions succeeding'
deployed\t'A valid file is in the agents directory'
failing\t'The file is invalid, but a good version was deployed before'
failed\t'The file is invalid and no good version exists'"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l detailed -d 'Live columns from the daemon (uptime, memory, CPU), then deployed time, versions, tools'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l names-only -d 'Print only agent ids, one per line'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l count -d 'Print only the number of matching agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -l type -r -f -a "config\t'A TOML file in the agents directory, run by the LLM loop'
wasm\t'A WebAssembly module deployed to the store, run in the sandbox'"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from count" -l status -d '`running` asks the daemon (nothing is running when it is not); the others are the agent files\' status' -r -f -a "running\t'Live in the daemon with recent executions succeeding'
deployed\t'A valid file is in the agents directory'
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
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from show" -l include-metrics -d 'Add the daemon\'s live metrics (status, uptime, memory, CPU, runs)'
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
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l query -d 'The request text' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l input -d 'The request as JSON: a WASM agent\'s input, or for a config agent an object whose keys become template variables (text that is not JSON is the request text)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l timeout -d 'Overall limit for a config agent\'s run, e.g. 30s [default: the agent\'s [conversation] timeout, then runtime.agent_timeout]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l function -d 'The Extism plug-in function to call [default: the deployed handler, `handle`]' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -l query -d 'The request text' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -l input -d 'The request as JSON: a WASM agent\'s input, or for a config agent an object whose keys become template variables (text that is not JSON is the request text)' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -l timeout -d 'Overall limit for the run, e.g. 10s' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from test-local" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from logs" -l tail -d 'Show the last N lines' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from logs" -l level -d 'Show only lines at this level or worse' -r -f -a "error\t''
warn\t''
info\t''"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from logs" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from logs" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from logs" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from logs" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from metrics" -l last -d 'The window, e.g. 1h, 30m, 7d' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from metrics" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from metrics" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from metrics" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from metrics" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from metrics" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from metrics" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diagnose" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diagnose" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diagnose" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diagnose" -l show-errors -d 'List the most recent failed runs with their errors'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diagnose" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diagnose" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from diagnose" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l type -r -f -a "config\t'A TOML file in the agents directory, run by the LLM loop'
wasm\t'A WebAssembly module deployed to the store, run in the sandbox'"
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from resource-usage" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l agent -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from sandbox-status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from status" -l summary -d 'Counts by status and by type'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from ping" -l timeout -d 'Give up after this long, e.g. 5s' -r
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from ping" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from ping" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from ping" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from ping" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from ping" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from ping" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -l all-config -d 'Reload every config agent'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -l validate-first -d 'Check the file(s) first; reload nothing if invalid'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -l staged -d 'Validate, reload, then check the agent runs (implies --validate-first)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -l rollback-on-error -d 'If the new version is invalid or does not run, restore the last deployed version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload-status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload-status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload-status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload-status" -l watch -d 'Reprint every 2 seconds until Ctrl-C'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload-status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload-status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from reload-status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -l auto-reload -d 'Ask the running daemon (if any) to reload each changed valid agent'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -l ignore-errors -d 'Keep watching after an invalid file (default: exit 3)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -l log-changes -d 'Print a timestamped line for every changed or removed file'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from watch" -s V -l version -d 'Print version'
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
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run an agent once and print its answer (config agents ask their LLM)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "test-local" -d 'Run a config agent file once without deploying it'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Show a config agent\'s run log: runs, tool calls, denials, errors'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "metrics" -d 'Runs, errors, P50/P99 latency and tokens of a config agent'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "diagnose" -d 'Check a config agent: definition, provider, tools, memory, recent failures'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "status" -d 'Live status of one agent in the running daemon (exit 3 when it is not running), or counts of all by status and type'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "ping" -d 'Check that the daemon has a live version of the agent that answers (exit 3 when it has none, 6 when no answer comes in time)'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "reload" -d 'Reload an agent (or all config agents) in the running daemon now'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "reload-status" -d 'Recent reload events and agents that are not running, from the daemon'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "watch" -d 'Development loop: validate agent files in DIR as they change and (with --auto-reload) make them live in the running daemon; runs until Ctrl-C'
complete -c caxton -n "__fish_caxton_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "create-entities" -d 'Create entities: {"entities": [{"name", "entityType", "observations": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "create-relations" -d 'Create relations: {"relations": [{"from", "to", "relationType"}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "add-observations" -d 'Add observations: {"observations": [{"entityName", "contents": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "delete-entities" -d 'Delete entities and their relations: {"entityNames": [...]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "delete-observations" -d 'Delete observations: {"deletions": [{"entityName", "observations": [...]}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "delete-relations" -d 'Delete relations: {"relations": [{"from", "to", "relationType"}]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "read-graph" -d 'Print the whole visible graph as JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "search-nodes" -d 'Entities matching a query, as a graph: {"query": "..."}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "open-nodes" -d 'Entities by name, as a graph: {"names": [...]}'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "search" -d 'Search memory'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "status" -d 'Health of the memory system; prints `healthy` when every check passes'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "emergency-diagnosis" -d 'Full integrity check, where the space goes, and what to do next'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "diagnose" -d 'Full integrity check, where the space goes, and what to do next'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "stats" -d 'Search speed by mode and vector-index load over a window; with --include-trends, hourly latency and periodic size samples'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "monitor" -d 'Follow searches as they are recorded (Ctrl-C stops)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "cleanup" -d 'Remove what nobody can use: old search logs and samples, vectors of other models; orphaned entities and memory of removed agents on request'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "cache-clear" -d 'Delete cached derived data (the persisted vector index); it is rebuilt from the store on the next search'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "usage" -d 'Entities stored as a share of `memory.max_entities`'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "capacity-check" -d 'Exit 1 when entity usage is at or above the given percentage'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "reindex" -d 'Embed every observation still waiting for a vector and refresh the vector index'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "optimize" -d 'Compact the database, rebuild search indexes, recompute vectors'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "export" -d 'Write the whole memory as JSON or JSON Lines, or the vectors as a migration file for an external backend'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "import" -d 'Read an export into memory, merging with what is there'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "migration-check" -d 'Is the memory ready to move to an external backend, and how long would it take'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "test-connection" -d 'Connect to an external backend and report what it holds; `--config FILE` names the backend\'s connection file (url, api_key, collection)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "emergency-migrate" -d 'Copy every embedded observation to the external backend now'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "migrate" -d 'Move the memory to another backend: copy in batches (rerun to resume), verify, then switch `[memory] backend` in the config file'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "graph" -d 'An entity and its neighbours up to DEPTH relation hops'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and not __fish_seen_subcommand_from create-entities create-relations add-observations delete-entities delete-observations delete-relations read-graph search-nodes open-nodes search status emergency-diagnosis diagnose stats monitor cleanup cache-clear usage capacity-check reindex optimize export import migration-check test-connection emergency-migrate migrate graph help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-entities" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from create-relations" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from add-observations" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-entities" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-observations" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from delete-relations" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from read-graph" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search-nodes" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l file -d 'Read the JSON arguments from FILE instead of standard input' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l no-embed -d 'Commit without embedding the new observations now; they stay in the embedding backlog (found by keyword until embedded)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from open-nodes" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l limit -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l type -d 'Only entities of this type' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l in-scope -d 'Only entities in this scope' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l min-similarity -d 'Drop semantic matches below this cosine similarity' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l exact -d 'Scan every vector exactly instead of the fast two-stage search'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help (see more with \'--help\')'
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
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from diagnose" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from diagnose" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from diagnose" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from diagnose" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from diagnose" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from diagnose" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from stats" -l window -d 'Window to report, e.g. 24h or 7d' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from stats" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from stats" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from stats" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from stats" -l include-trends
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from stats" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -l threshold -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -l last -d 'How many already recorded searches to show first' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -l show-slow-queries -d 'Only searches at or above --threshold'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -l once -d 'Show the recorded searches and exit instead of following'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from monitor" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l older-than -d 'Only what is older than this, e.g. 30d' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l remove-orphaned -d 'Also entities with no observations and no relations'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l vacuum-after -d 'VACUUM afterwards to give the space back to the filesystem'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l aggressive -d 'Also the agent-scoped memory of agents that no longer exist (needs --force)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l force -d 'Confirm an --aggressive cleanup'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l dry-run -d 'Report what would be removed, remove nothing'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cleanup" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cache-clear" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cache-clear" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cache-clear" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cache-clear" -l all -d 'Every cache (there is one today: the vector index)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cache-clear" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cache-clear" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from cache-clear" -s V -l version -d 'Print version'
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
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -l verify-after -d 'Afterwards verify vectors, counters, the full-text and vector indexes'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from reindex" -l background -d 'Run detached, logging to <data dir>/logs/memory-reindex.log'
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
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l clear-cache -d 'Delete the persisted vector index (rebuilt with --rebuild-index, else on the next search)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l incremental -d 'Only bounded work that never blocks writers for long (index merges)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from optimize" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l format -d '[default: jsonl for a .jsonl/.ndjson --output, else json]' -r -f -a "json\t''
jsonl\t''
migration\t'Points (id, vector, payload) for `--target`, as its upsert API takes them'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l target -d 'Backend a `--format migration` file is for' -r -f -a "qdrant\t''
postgres\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l output -d 'Output file (written atomically) [default: standard output]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l embeddings -d 'Include the stored vectors'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l input -d 'The file to import (the same as FILE; mirrors export\'s --output)' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l format -d '[default: from the extension (.json, .jsonl), else the content]' -r -f -a "json\t'One JSON document ([`Document`])'
jsonl\t'One JSON object per line (`Line`), header first: streams, and diffs well'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migration-check" -l target -r -f -a "qdrant\t''
postgres\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migration-check" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migration-check" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migration-check" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migration-check" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migration-check" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migration-check" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from test-connection" -l backend -r -f -a "qdrant\t''
postgres\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from test-connection" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from test-connection" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from test-connection" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from test-connection" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from test-connection" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from test-connection" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-migrate" -l to -r -f -a "qdrant\t''
postgres\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-migrate" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-migrate" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-migrate" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-migrate" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-migrate" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from emergency-migrate" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -l to -r -f -a "postgres\t''
embedded\t''"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -l batch-size -d 'Entities per transaction' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -l sample-queries -d 'Searches compared between the backends before switching' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -l replace -d 'Delete what the target already holds before copying'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from migrate" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l depth -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l relation-type -d 'Follow only relations of this type (repeatable)' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from graph" -s h -l help -d 'Print help (see more with \'--help\')'
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
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Search speed by mode and vector-index load over a window; with --include-trends, hourly latency and periodic size samples'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "monitor" -d 'Follow searches as they are recorded (Ctrl-C stops)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "cleanup" -d 'Remove what nobody can use: old search logs and samples, vectors of other models; orphaned entities and memory of removed agents on request'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "cache-clear" -d 'Delete cached derived data (the persisted vector index); it is rebuilt from the store on the next search'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "usage" -d 'Entities stored as a share of `memory.max_entities`'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "capacity-check" -d 'Exit 1 when entity usage is at or above the given percentage'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "reindex" -d 'Embed every observation still waiting for a vector and refresh the vector index'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "optimize" -d 'Compact the database, rebuild search indexes, recompute vectors'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the whole memory as JSON or JSON Lines, or the vectors as a migration file for an external backend'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "import" -d 'Read an export into memory, merging with what is there'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "migration-check" -d 'Is the memory ready to move to an external backend, and how long would it take'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "test-connection" -d 'Connect to an external backend and report what it holds; `--config FILE` names the backend\'s connection file (url, api_key, collection)'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "emergency-migrate" -d 'Copy every embedded observation to the external backend now'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "migrate" -d 'Move the memory to another backend: copy in batches (rerun to resume), verify, then switch `[memory] backend` in the config file'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "graph" -d 'An entity and its neighbours up to DEPTH relation hops'
complete -c caxton -n "__fish_caxton_using_subcommand memory; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Serve the memory and the deployed agents to one MCP client over stdin/stdout (JSON-RPC, one message per line) until it closes stdin'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l scope -d 'Scope new entities are written to' -r -f -a "agent\t'Visible only to the agent that wrote it'
workspace\t'Shared by the agents of one workspace'
global\t'Shared by every agent and the operator'"
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l agent -d 'Act as this agent: its agent scope, plus workspace and global, are visible' -r
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l workspace -d 'Workspace name for the workspace scope' -r
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l import-memory-json -d 'Before serving, merge the reference memory server\'s memory.jsonl (MEMORY_FILE_PATH of @modelcontextprotocol/server-memory) into the scope written to; running it again adds nothing twice' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the memory and the deployed agents to one MCP client over stdin/stdout (JSON-RPC, one message per line) until it closes stdin'
complete -c caxton -n "__fish_caxton_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -l output -d 'Archive to write: .tar.gz/.tgz is gzip, .tar.zst zstd, anything else plain tar. Written under a temporary name and renamed when complete [default: DATA_DIR/backups/caxton-<UTC timestamp>.tar.zst]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -l embedded -d 'Back up the embedded store: a consistent snapshot of the SQLite database (taken while writers keep going), the agents directory and the server config'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -l compress -d 'Compress even when FILE has no compression suffix (zstd)'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -l verify -d 'Verify the finished archive (as `caxton backup verify`); exit non-zero if it fails'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -f -a "verify" -d 'Check a backup: every hash, manifest completeness, SQLite integrity_check of the snapshot, row counts, every agent file'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -f -a "prune" -d 'Delete old backups in DIR, keeping the newest per day and per week; the newest backup that verifies is always kept'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and not __fish_seen_subcommand_from verify prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from verify" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from verify" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from verify" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from verify" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -l keep-daily -d 'Keep the newest backup of each of the last N days that have one' -r
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -l keep-weekly -d 'Keep the newest backup of each of the last N ISO weeks that have one' -r
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -l dry-run -d 'Show what would be deleted without deleting'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check a backup: every hash, manifest completeness, SQLite integrity_check of the snapshot, row counts, every agent file'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Delete old backups in DIR, keeping the newest per day and per week; the newest backup that verifies is always kept'
complete -c caxton -n "__fish_caxton_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand restore" -l target -d 'Restore into DIR/data and DIR/agents (the /var/lib/caxton layout); --data-dir and --agents-dir override either [default: the configured directories]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand restore" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand restore" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand restore" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand restore" -l force -d 'Replace an existing database (it is kept as a safety copy)'
complete -c caxton -n "__fish_caxton_using_subcommand restore" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand restore" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand restore" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -f -a "verify" -d 'Check the database: --quick (SQLite quick_check, the default) or --comprehensive (integrity_check, foreign keys, orphaned rows, vectors vs observations, full-text index, agent versions vs files). Exit 3 when a check fails'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -f -a "repair" -d 'Rebuild indexes and derived tables and drop orphaned rows; with --emergency, salvage every readable row of a damaged database into a fresh one and report what was lost. Refused while a daemon runs'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -f -a "safe-mode" -d 'Refuse every write (exit 8) until disabled; with no flag, show the state'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -f -a "corruption-level" -d 'Print the percentage of database pages failing SQLite\'s integrity check, as an integer (0 when healthy, 100 when unreadable)'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and not __fish_seen_subcommand_from verify repair safe-mode corruption-level help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from verify" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from verify" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from verify" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from verify" -l quick
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from verify" -l comprehensive
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from verify" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from repair" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from repair" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from repair" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from repair" -l emergency
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from repair" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from repair" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from repair" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from safe-mode" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from safe-mode" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from safe-mode" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from safe-mode" -l enable
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from safe-mode" -l disable
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from safe-mode" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from safe-mode" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from safe-mode" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from corruption-level" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from corruption-level" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from corruption-level" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from corruption-level" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from corruption-level" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from corruption-level" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the database: --quick (SQLite quick_check, the default) or --comprehensive (integrity_check, foreign keys, orphaned rows, vectors vs observations, full-text index, agent versions vs files). Exit 3 when a check fails'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from help" -f -a "repair" -d 'Rebuild indexes and derived tables and drop orphaned rows; with --emergency, salvage every readable row of a damaged database into a fresh one and report what was lost. Refused while a daemon runs'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from help" -f -a "safe-mode" -d 'Refuse every write (exit 8) until disabled; with no flag, show the state'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from help" -f -a "corruption-level" -d 'Print the percentage of database pages failing SQLite\'s integrity check, as an integer (0 when healthy, 100 when unreadable)'
complete -c caxton -n "__fish_caxton_using_subcommand storage; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -f -a "start" -d 'Run the daemon in the foreground (HTTP API, metrics, agent hot reload)'
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -f -a "status" -d 'Whether a daemon runs for this data directory, and its health'
complete -c caxton -n "__fish_caxton_using_subcommand server; and not __fish_seen_subcommand_from start status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -l host -d 'Address to bind [default: server.host, 127.0.0.1]; non-loopback needs server.auth_token' -r
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -l port -d 'API port [default: server.port, 8080]; 0 picks a free port (see run/caxton.url)' -r
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -l log-file -d 'Write the log to FILE (rotated as `logging.rotate` says) instead of stderr [default: logging.file]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from status" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from status" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from status" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "start" -d 'Run the daemon in the foreground (HTTP API, metrics, agent hot reload)'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "status" -d 'Whether a daemon runs for this data directory, and its health'
complete -c caxton -n "__fish_caxton_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand shutdown" -l timeout -d 'How long in-flight executions may take with --graceful' -r
complete -c caxton -n "__fish_caxton_using_subcommand shutdown" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand shutdown" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand shutdown" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand shutdown" -l graceful -d 'Let in-flight executions finish (up to --timeout) before stopping'
complete -c caxton -n "__fish_caxton_using_subcommand shutdown" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand shutdown" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand shutdown" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand reload" -l agent -d 'Reload only this agent (id, name or file stem)' -r
complete -c caxton -n "__fish_caxton_using_subcommand reload" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand reload" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand reload" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand reload" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand reload" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand reload" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -f -a "send" -d 'Send a message to whichever agent offers a capability'
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -f -a "recover" -d 'Deliver messages stored but never delivered (after a crash); each once'
complete -c caxton -n "__fish_caxton_using_subcommand message; and not __fish_seen_subcommand_from send recover help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l capability -d 'Capability to address (e.g. text-stats)' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l receiver -d 'Agent id to address directly instead of a capability' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l performative -d 'request, inform, query, propose, accept_proposal, reject_proposal, agree, refuse, failure or not_understood (any case)' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l content -d 'Text, or JSON when it starts with `{` or `[`' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l conversation -d 'Continue an existing conversation' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l message-id -d 'Message id (a retry with the same id is not delivered twice)' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l reply-with -d 'FIPA-ACL reply_with: the answer carries it back as in_reply_to' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l in-reply-to -d 'FIPA-ACL in_reply_to: the message (id or reply_with) this answers' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l wait -d 'Wait up to this long for the reply and print it (e.g. 30s)' -r
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l broadcast -d 'Deliver an `inform` to every agent offering the capability'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from send" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from recover" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from recover" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from recover" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from recover" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from recover" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from recover" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from help" -f -a "send" -d 'Send a message to whichever agent offers a capability'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from help" -f -a "recover" -d 'Deliver messages stored but never delivered (after a crash); each once'
complete -c caxton -n "__fish_caxton_using_subcommand message; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -f -a "send" -d 'Send a message to whichever agent offers a capability'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -f -a "recover" -d 'Deliver messages stored but never delivered (after a crash); each once'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and not __fish_seen_subcommand_from send recover help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l capability -d 'Capability to address (e.g. text-stats)' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l receiver -d 'Agent id to address directly instead of a capability' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l performative -d 'request, inform, query, propose, accept_proposal, reject_proposal, agree, refuse, failure or not_understood (any case)' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l content -d 'Text, or JSON when it starts with `{` or `[`' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l conversation -d 'Continue an existing conversation' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l message-id -d 'Message id (a retry with the same id is not delivered twice)' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l reply-with -d 'FIPA-ACL reply_with: the answer carries it back as in_reply_to' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l in-reply-to -d 'FIPA-ACL in_reply_to: the message (id or reply_with) this answers' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l wait -d 'Wait up to this long for the reply and print it (e.g. 30s)' -r
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l broadcast -d 'Deliver an `inform` to every agent offering the capability'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from send" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from recover" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from recover" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from recover" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from recover" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from recover" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from recover" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "send" -d 'Send a message to whichever agent offers a capability'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "recover" -d 'Deliver messages stored but never delivered (after a crash); each once'
complete -c caxton -n "__fish_caxton_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'Conversations, most recently active first'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'The messages of a conversation as a tree of who answered whom'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from list" -l limit -d 'Show at most this many' -r
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from show" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from show" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from show" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from show" -l follow -d 'Keep printing new messages until none of the conversation is pending'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from help" -f -a "list" -d 'Conversations, most recently active first'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from help" -f -a "show" -d 'The messages of a conversation as a tree of who answered whom'
complete -c caxton -n "__fish_caxton_using_subcommand conversations; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'Conversations, most recently active first'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'The messages of a conversation as a tree of who answered whom'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from list" -l limit -d 'Show at most this many' -r
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from show" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from show" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from show" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from show" -l follow -d 'Keep printing new messages until none of the conversation is pending'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from help" -f -a "list" -d 'Conversations, most recently active first'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from help" -f -a "show" -d 'The messages of a conversation as a tree of who answered whom'
complete -c caxton -n "__fish_caxton_using_subcommand conversation; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and not __fish_seen_subcommand_from list help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and not __fish_seen_subcommand_from list help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and not __fish_seen_subcommand_from list help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and not __fish_seen_subcommand_from list help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and not __fish_seen_subcommand_from list help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'Every capability, the agents offering it and their health'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every capability, the agents offering it and their health'
complete -c caxton -n "__fish_caxton_using_subcommand capabilities; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and not __fish_seen_subcommand_from list help" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capability; and not __fish_seen_subcommand_from list help" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capability; and not __fish_seen_subcommand_from list help" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capability; and not __fish_seen_subcommand_from list help" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and not __fish_seen_subcommand_from list help" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'Every capability, the agents offering it and their health'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and __fish_seen_subcommand_from list" -l config -d 'Server config file (TOML or YAML) [default: ./caxton.toml, then <data dir>/caxton.toml]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capability; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [env: CAXTON_DATA_DIR] [default: ~/.local/share/caxton]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capability; and __fish_seen_subcommand_from list" -l agents-dir -d 'Agents directory [env: CAXTON_AGENTS_DIR] [default: <data dir>/agents]' -r -F
complete -c caxton -n "__fish_caxton_using_subcommand capability; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every capability, the agents offering it and their health'
complete -c caxton -n "__fish_caxton_using_subcommand capability; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "init" -d 'Create a data directory with a sample config and the example agents'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "agents" -d 'Validate, deploy, inspect and roll back agents'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "memory" -d 'Knowledge-graph memory: entities, observations, relations, search'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "mcp" -d 'Serve Caxton\'s memory to MCP clients (`mcp serve`: stdio)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "tools" -d 'List and run built-in tools'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "config" -d 'Show the effective server configuration'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "completions" -d 'Print a shell completion script'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "man" -d 'Print the man page, or write every page into a directory'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "backup" -d 'Back up the store, verify a backup, prune old backups'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "restore" -d 'Restore a verified backup (refused while a daemon uses the data directory)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "storage" -d 'Verify and repair the database, safe mode, corruption level'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "server" -d 'Run the daemon (`server start`) or check on it (`server status`)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "shutdown" -d 'Stop the running daemon (waits until it has exited)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "reload" -d 'Rescan the agents directory in the running daemon now'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "message" -d 'Send messages to agents by capability; recover undelivered ones'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "conversations" -d 'Conversations between agents: list them, show one as a tree'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "capabilities" -d 'Capabilities of the deployed agents, who offers them, their health'
complete -c caxton -n "__fish_caxton_using_subcommand help; and not __fish_seen_subcommand_from init agents memory mcp tools config completions man backup restore storage server shutdown reload message conversations capabilities help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "test" -d 'Run an agent once and print its answer (config agents ask their LLM)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "test-local" -d 'Run a config agent file once without deploying it'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "logs" -d 'Show a config agent\'s run log: runs, tool calls, denials, errors'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "metrics" -d 'Runs, errors, P50/P99 latency and tokens of a config agent'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "diagnose" -d 'Check a config agent: definition, provider, tools, memory, recent failures'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "resource-usage" -d 'Executions, fuel, CPU time, peak memory and traps of WASM agents'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "sandbox-status" -d 'One WASM agent\'s effective limits, policy, module and execution record'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "status" -d 'Live status of one agent in the running daemon (exit 3 when it is not running), or counts of all by status and type'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "ping" -d 'Check that the daemon has a live version of the agent that answers (exit 3 when it has none, 6 when no answer comes in time)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "reload" -d 'Reload an agent (or all config agents) in the running daemon now'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "reload-status" -d 'Recent reload events and agents that are not running, from the daemon'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "watch" -d 'Development loop: validate agent files in DIR as they change and (with --auto-reload) make them live in the running daemon; runs until Ctrl-C'
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
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "stats" -d 'Search speed by mode and vector-index load over a window; with --include-trends, hourly latency and periodic size samples'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "monitor" -d 'Follow searches as they are recorded (Ctrl-C stops)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "cleanup" -d 'Remove what nobody can use: old search logs and samples, vectors of other models; orphaned entities and memory of removed agents on request'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "cache-clear" -d 'Delete cached derived data (the persisted vector index); it is rebuilt from the store on the next search'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "usage" -d 'Entities stored as a share of `memory.max_entities`'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "capacity-check" -d 'Exit 1 when entity usage is at or above the given percentage'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "reindex" -d 'Embed every observation still waiting for a vector and refresh the vector index'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "optimize" -d 'Compact the database, rebuild search indexes, recompute vectors'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "export" -d 'Write the whole memory as JSON or JSON Lines, or the vectors as a migration file for an external backend'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "import" -d 'Read an export into memory, merging with what is there'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "migration-check" -d 'Is the memory ready to move to an external backend, and how long would it take'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "test-connection" -d 'Connect to an external backend and report what it holds; `--config FILE` names the backend\'s connection file (url, api_key, collection)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "emergency-migrate" -d 'Copy every embedded observation to the external backend now'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "migrate" -d 'Move the memory to another backend: copy in batches (rerun to resume), verify, then switch `[memory] backend` in the config file'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from memory" -f -a "graph" -d 'An entity and its neighbours up to DEPTH relation hops'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "serve" -d 'Serve the memory and the deployed agents to one MCP client over stdin/stdout (JSON-RPC, one message per line) until it closes stdin'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from tools" -f -a "list" -d 'List tools with their descriptions (and argument schemas with --json)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from tools" -f -a "run" -d 'Run a tool directly, as an operator or as a given agent would'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print every setting, its value and where the value came from'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "verify" -d 'Check a backup: every hash, manifest completeness, SQLite integrity_check of the snapshot, row counts, every agent file'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "prune" -d 'Delete old backups in DIR, keeping the newest per day and per week; the newest backup that verifies is always kept'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from storage" -f -a "verify" -d 'Check the database: --quick (SQLite quick_check, the default) or --comprehensive (integrity_check, foreign keys, orphaned rows, vectors vs observations, full-text index, agent versions vs files). Exit 3 when a check fails'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from storage" -f -a "repair" -d 'Rebuild indexes and derived tables and drop orphaned rows; with --emergency, salvage every readable row of a damaged database into a fresh one and report what was lost. Refused while a daemon runs'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from storage" -f -a "safe-mode" -d 'Refuse every write (exit 8) until disabled; with no flag, show the state'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from storage" -f -a "corruption-level" -d 'Print the percentage of database pages failing SQLite\'s integrity check, as an integer (0 when healthy, 100 when unreadable)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "start" -d 'Run the daemon in the foreground (HTTP API, metrics, agent hot reload)'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "status" -d 'Whether a daemon runs for this data directory, and its health'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from message" -f -a "send" -d 'Send a message to whichever agent offers a capability'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from message" -f -a "recover" -d 'Deliver messages stored but never delivered (after a crash); each once'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from conversations" -f -a "list" -d 'Conversations, most recently active first'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from conversations" -f -a "show" -d 'The messages of a conversation as a tree of who answered whom'
complete -c caxton -n "__fish_caxton_using_subcommand help; and __fish_seen_subcommand_from capabilities" -f -a "list" -d 'Every capability, the agents offering it and their health'
