import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import Dispatch
import Foundation

/// `casework serve --db URL --listen HOST:PORT [--definitions PATH] --auth FILE [--tls-cert FILE --tls-key FILE]
/// [--tick-every DURATION] [--request-timeout SECONDS]`:
/// the case API over HTTP until SIGTERM or SIGINT, then a graceful stop; SIGHUP re-reads the identity providers' JWKS
/// files.
enum ServeCommand {
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["serve"].spec)
        guard parsed.positionals.isEmpty else { throw UsageError("serve takes no arguments, found '\(TerminalText.escape(parsed.positionals[0]))'") }
        guard let authPath = try parsed.single("--auth") else {
            throw UsageError("serve needs --auth FILE: no request is answered without a service token", help: "see docs/reference/service.md")
        }
        var options = ServeInstance.Options(
            database: try parsed.single("--db") ?? ProcessEnvironment.value("CASEWORK_DATABASE_URL").flatMap { $0.isEmpty ? nil : $0 } ?? "casework.sqlite",
            definitions: parsed.values["--definitions"] ?? ValidateCommand.defaultPaths(), cache: DefinitionCacheSetting.cache(parsed),
            authPath: authPath, create: parsed.flags.contains(EngineOptions.create), settings: try settings(parsed))
        if let text = try parsed.single("--tick-every") {
            guard let interval = ServeTicker.interval(text) else {
                throw UsageError("--tick-every needs a duration from 1s to 24h, such as 30s, 5m or 1h, found '\(TerminalText.escape(text))'")
            }
            options.tickEvery = interval
        }
        if let text = try parsed.single("--request-timeout") {
            guard text.allSatisfy(\.isASCII), let seconds = Int(text), (1...3_600).contains(seconds) else {
                throw UsageError("--request-timeout needs a whole number of seconds from 1 to 3600, found '\(TerminalText.escape(text))'")
            }
            options.requestTimeout = .seconds(seconds)
        }
        options.report = { console.err($0 + "\n") }
        let instance: ServeInstance
        do throws(ServeError) {
            instance = try ServeInstance(options)
        } catch {
            return report(error, console: console)
        }
        // Said once the signals are handled, so a SIGHUP sent as soon as it is read reloads rather than stops.
        waitForStopSignal(reload: { instance.reloadKeys() }, ready: { console.out("casework serve: listening on \(instance.url)\n") })
        console.out("casework serve: stopping: no new connections, finishing requests in flight\n")
        instance.stop()
        console.out("casework serve: stopped\n")
        return .success
    }

    /// The server settings the options give, each left at its default when not given.
    static func settings(_ parsed: ParsedArguments) throws(UsageError) -> HTTPServerSettings {
        var settings = HTTPServerSettings()
        if let text = try parsed.single("--listen") {
            do throws(HTTPServerError) {
                settings.address = try ListenAddress(parsing: text)
            } catch {
                throw UsageError(error.description)
            }
        }
        func number(_ name: String) throws(UsageError) -> Int? {
            guard let text = try parsed.single(name) else { return nil }
            guard text.allSatisfy(\.isASCII), let value = Int(text), value >= 0 else { throw UsageError("\(name) needs a whole number, found '\(TerminalText.escape(text))'") }
            return value
        }
        settings.workers = try number("--workers") ?? settings.workers
        settings.maxConnections = try number("--max-connections") ?? settings.maxConnections
        settings.idleTimeoutSeconds = try number("--idle-timeout") ?? settings.idleTimeoutSeconds
        settings.maxHeaderBytes = try number("--max-header-bytes") ?? settings.maxHeaderBytes
        settings.maxBodyBytes = try number("--max-body-bytes") ?? settings.maxBodyBytes
        settings.drainSeconds = try number("--drain-timeout") ?? settings.drainSeconds
        switch (try parsed.single("--tls-cert"), try parsed.single("--tls-key")) {
        case (nil, nil): break
        case (let certificate?, let key?):
            settings.tls = TLSCredentials(certificate: try pem(certificate, "--tls-cert"), privateKey: try pem(key, "--tls-key"))
        default: throw UsageError("--tls-cert and --tls-key go together", help: "give both, or neither for plain HTTP")
        }
        return settings
    }

    private static func pem(_ path: String, _ option: String) throws(UsageError) -> String {
        switch OperatorTextFile.read(path) {
        case .success(let text) where text.contains("-----BEGIN ") && !text.contains("\0"): return text
        case .failure(let refusal) where refusal != .unreadable && refusal != .notUTF8:
            throw UsageError("\(option) '\(TerminalText.escape(path))' \(refusal)")
        default: throw UsageError("\(option) '\(TerminalText.escape(path))' is not a readable PEM file")
        }
    }

    /// Renders why the server did not start: an engine refusal as every command renders one, the rest on one line.
    private static func report(_ error: ServeError, console: some Console) -> ExitStatus {
        switch error {
        case .engine(let refusal): return EngineRun.run(console: console) { () throws(EngineError) in throw refusal }
        case .auth(let problem):
            console.err("error: the auth file cannot be used: \(TerminalText.escape(problem.description))\n")
            return .usage
        case .server(let problem):
            console.err("error: \(problem)\n")
            return .failure
        }
    }

    /// Handles the signals, calls `ready`, and blocks until SIGTERM or SIGINT arrives, calling `reload` on each SIGHUP
    /// meanwhile; then restores the three signals' default handling.
    private static func waitForStopSignal(reload: @escaping @Sendable () -> Void, ready: () -> Void) {
        let stop = DispatchSemaphore(value: 0)
        let numbers = [SIGTERM, SIGINT, SIGHUP]
        let sources = numbers.map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { if number == SIGHUP { reload() } else { stop.signal() } }
            source.resume()
            return source
        }
        ready()
        stop.wait()
        for (source, number) in zip(sources, numbers) {
            source.cancel()
            signal(number, SIG_DFL)
        }
    }
}
