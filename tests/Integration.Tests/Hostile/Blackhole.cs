using System.Net;
using System.Net.Sockets;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member's endpoint that never answers: a loopback TCP listener that accepts every connection and then neither reads
/// nor writes, so a caller's connect succeeds and every request (gRPC, libp2p handshake) hangs until its own deadline.
/// </summary>
public sealed class Blackhole : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly Task _accepting;

    public Blackhole()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_accepted) _accepted.Add(socket);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        });
    }

    public int Port { get; }

    public string GrpcAddress => $"http://127.0.0.1:{Port}";

    public string SwarmAddress => $"/ip4/127.0.0.1/tcp/{Port}";

    public int Connections
    {
        get
        {
            lock (_accepted) return _accepted.Count;
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _accepting.Wait(TimeSpan.FromSeconds(5));
        lock (_accepted)
            foreach (var socket in _accepted)
                socket.Dispose();
    }
}
