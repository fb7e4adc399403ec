using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace IpsecMesh.Integration.Tests.Telemetry;

/// <summary>Writes every log entry through the console's own formatter (as configured) into a list: exactly what stdout would carry.</summary>
public sealed class FormattedLogProvider(ConsoleFormatter formatter, List<string> lines) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new FormattedLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class FormattedLogger(string category, FormattedLogProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            using var writer = new StringWriter();
            provider.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), writer);
            lock (provider.Lines) provider.Lines.Add(writer.ToString());
        }
    }

    private List<string> Lines => lines;

    private void Write<TState>(LogEntry<TState> entry, TextWriter writer) => formatter.Write(in entry, _scopes, writer);
}
