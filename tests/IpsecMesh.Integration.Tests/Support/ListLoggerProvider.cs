using Microsoft.Extensions.Logging;

namespace IpsecMesh.Integration.Tests.Support;

/// <summary>Keeps every formatted log line (with its scope) so tests can assert on what was logged.</summary>
public sealed class ListLoggerProvider(List<string> lines) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, lines, () => _scopes);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class ListLogger(string category, List<string> lines, Func<IExternalScopeProvider> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => scopes().Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new List<string>();
            scopes().ForEachScope((s, list) => list.Add(s?.ToString() ?? ""), scope);
            var line = $"{logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message} [{string.Join(" ", scope)}]";
            lock (lines) lines.Add(line);
        }
    }
}
