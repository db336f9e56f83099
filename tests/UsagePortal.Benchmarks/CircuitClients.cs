using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Testing;

namespace UsagePortal.Benchmarks;

/// <summary>
/// Open dashboards without a browser: for each, the conversation <c>blazor.web.js</c> has with the server for one tab,
/// and nothing more. GET the prerendered page (its root-component markers and persisted state), connect to
/// <c>/_blazor</c> over WebSockets with Blazor's MessagePack protocol, <c>StartCircuit</c>, answer the server's JS calls
/// (void, <c>false</c> for "is the system dark", a fresh object reference where one is asked for), send the root
/// components (<c>UpdateRootComponents</c>), and acknowledge every render batch (<c>OnRenderCompleted</c>), as the
/// browser does after applying it. The server cannot tell these circuits from a browser's: same hub, same messages,
/// same components, same render batches.
/// <para>
/// A batch is not applied to a DOM: the client looks into its bytes. The dashboard is live when a batch carries its
/// <c>data-interactive</c> attribute set to <c>true</c>; it updated when a later batch carries <c>data-read-at</c> (the
/// attribute's frame travels in a batch only when its value changed). Runs in a process of its own (<see cref="RunAsync"/>,
/// started by <see cref="DashboardsBenchmark"/>) so that the server's heap holds only the server's side of each circuit;
/// it reports on standard output: <c>live i</c>, <c>update i unixMilliseconds</c>, <c>error text</c>.
/// </para>
/// </summary>
internal static partial class CircuitClients
{
    public const string Argument = "--circuit-clients";

    /// <summary>The child process: signs in as the demo's customer owner, opens <paramref name="count"/> dashboards ten at a time, and keeps them open until its input closes.</summary>
    public static async Task<int> RunAsync(Uri address, int count)
    {
        var cookies = new CookieContainer();
        using (var signingIn = new PortalClient(new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = address }))
        {
            await signingIn.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        }

        // One cookie jar for every dashboard, as the tabs of one browser share theirs.
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false, MaxConnectionsPerServer = 16 })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromMinutes(2),
        };

        var output = TextWriter.Synchronized(Console.Out);
        var dashboards = new List<Dashboard>();
        for (var opened = 0; opened < count; opened += 10)
        {
            var start = opened;
            dashboards.AddRange(await Task.WhenAll(Enumerable.Range(start, Math.Min(10, count - start))
                .Select(index => Dashboard.OpenAsync(http, address, cookies, index, output))));
        }

        // The parent closes this process's input when it is done with the dashboards.
        await Console.In.ReadToEndAsync();
        foreach (var dashboard in dashboards)
        {
            await dashboard.DisposeAsync();
        }

        return 0;
    }

    private sealed class Dashboard : IAsyncDisposable
    {
        private static readonly byte[] ReadAt = "data-read-at"u8.ToArray();
        private static readonly byte[] Interactive = "data-interactive"u8.ToArray();
        private static readonly byte[] True = "true"u8.ToArray();

        private readonly HubConnection connection;
        private readonly int index;
        private readonly TextWriter output;
        private readonly TaskCompletionSource rendererAttached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource live = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long nextObjectId;

        private Dashboard(HubConnection connection, int index, TextWriter output)
        {
            this.connection = connection;
            this.index = index;
            this.output = output;
        }

        public static async Task<Dashboard> OpenAsync(HttpClient http, Uri address, CookieContainer cookies, int index, TextWriter output)
        {
            var page = await http.GetStringAsync("app");
            var markers = ServerMarkers(page);
            var state = StatePattern().Match(page) is { Success: true } found ? found.Groups["state"].Value : "";

            var builder = new HubConnectionBuilder()
                .WithUrl(new Uri(address, "_blazor"), options =>
                {
                    options.Cookies = cookies;
                    options.Transports = HttpTransportType.WebSockets;
                });
            builder.Services.AddSingleton<IHubProtocol>(new BlazorPack());
            var connection = builder.Build();
            var dashboard = new Dashboard(connection, index, output);
            dashboard.Listen();

            await connection.StartAsync();
            var circuitId = await connection.InvokeAsync<string?>("StartCircuit", address.ToString(), new Uri(address, "app").ToString(), "[]", "");
            if (string.IsNullOrEmpty(circuitId))
            {
                throw new InvalidOperationException($"Dashboard {index}: the server refused to start a circuit.");
            }

            // As blazor.web.js: the root components go once the server has attached its renderer to this "page".
            await dashboard.rendererAttached.Task.WaitAsync(TimeSpan.FromMinutes(2));
            var operations = markers.Select((marker, i) => new { type = "add", ssrComponentId = i + 1, marker });
            await connection.SendAsync("UpdateRootComponents", JsonSerializer.Serialize(new { batchId = 1, operations }), state);
            await dashboard.live.Task.WaitAsync(TimeSpan.FromMinutes(2));
            output.WriteLine($"live {index}");
            return dashboard;
        }

        private void Listen()
        {
            connection.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)], args =>
                AnswerAsync((long)args[0]!, (string)args[1]!, (int)args[3]!));
            connection.On("JS.RenderBatch", [typeof(long), typeof(byte[])], args =>
                OnBatchAsync((long)args[0]!, (byte[])args[1]!));
            connection.On("JS.Error", [typeof(string)], args =>
            {
                output.WriteLine($"error dashboard {index}: {args[0]}");
                return Task.CompletedTask;
            });
            foreach (var ignored in new[] { "JS.EndInvokeDotNet", "JS.AttachComponent", "JS.EndUpdateRootComponents", "JS.EndLocationChanging", "JS.ReceiveByteArray", "JS.SavePersistedState" })
            {
                connection.On(ignored, [], _ => Task.CompletedTask);
            }
        }

        private async Task AnswerAsync(long handle, string identifier, int resultType)
        {
            if (identifier.EndsWith("attachWebRendererInterop", StringComparison.Ordinal))
            {
                rendererAttached.TrySetResult();
            }

            if (handle == 0)
            {
                return;
            }

            var result = resultType switch
            {
                1 => $"{{\"__jsObjectId\":{Interlocked.Increment(ref nextObjectId)}}}",
                _ when identifier.Contains("DarkMode", StringComparison.OrdinalIgnoreCase) => "false",
                _ => "null",
            };
            await connection.SendAsync("EndInvokeJSFromDotNet", handle, true, $"[{handle},true,{result}]");
        }

        private async Task OnBatchAsync(long batchId, byte[] batch)
        {
            var stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await connection.SendAsync("OnRenderCompleted", batchId, null);
            var span = batch.AsSpan();
            if (!live.Task.IsCompleted)
            {
                if (span.IndexOf(Interactive) >= 0 && span.IndexOf(True) >= 0)
                {
                    live.TrySetResult();
                }

                return;
            }

            if (span.IndexOf(ReadAt) >= 0)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"update {index} {stamp}"));
            }
        }

        public async ValueTask DisposeAsync() => await connection.DisposeAsync();

        /// <summary>The interactive-server root components the prerendered page announces, in their order, as the markers blazor.web.js sends.</summary>
        private static List<JsonElement> ServerMarkers(string page)
        {
            var markers = new List<JsonElement>();
            foreach (Match match in MarkerPattern().Matches(page))
            {
                using var json = JsonDocument.Parse(match.Groups["json"].Value);
                if (json.RootElement.TryGetProperty("type", out var type) && type.GetString() == "server")
                {
                    markers.Add(json.RootElement.Clone());
                }
            }

            if (markers.Count == 0)
            {
                throw new InvalidOperationException("The dashboard page announced no interactive server component: is the customer signed in?");
            }

            return [.. markers.OrderBy(m => m.GetProperty("sequence").GetInt32())];
        }
    }

    [GeneratedRegex(@"<!--Blazor:(?<json>\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:(?<state>[A-Za-z0-9+/=]+)-->")]
    private static partial Regex StatePattern();

    /// <summary>Blazor's hub speaks MessagePack under the name "blazorpack"; SignalR's MessagePack protocol writes the same bytes.</summary>
    private sealed class BlazorPack : IHubProtocol
    {
        private readonly MessagePackHubProtocol inner = new();

        public string Name => "blazorpack";

        public int Version => inner.Version;

        public TransferFormat TransferFormat => inner.TransferFormat;

        public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
            inner.TryParseMessage(ref input, binder, out message);

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);
    }
}
