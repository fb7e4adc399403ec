namespace IpsecMesh.LocalStack.Tests;

/// <summary>The skip reason must say why no engine was found; these run without Docker.</summary>
public class DockerEngineTests
{
    [Fact]
    public void Missing_socket_without_DOCKER_HOST_names_both()
    {
        var reason = DockerEngine.Probe(null, "/nonexistent/docker.sock");

        Assert.Equal("no Docker engine reachable: DOCKER_HOST is not set and /nonexistent/docker.sock does not exist", reason);
    }

    [Fact]
    public void Unsupported_DOCKER_HOST_scheme_is_named()
    {
        var reason = DockerEngine.Probe("ssh://builder", "/nonexistent/docker.sock");

        Assert.Contains("scheme 'ssh'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Closed_loopback_port_is_reported_with_the_DOCKER_HOST_it_tried()
    {
        var reason = DockerEngine.Probe("tcp://127.0.0.1:1", "/nonexistent/docker.sock");

        Assert.StartsWith("no Docker engine reachable: tcp://127.0.0.1:1:", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_socket_file_as_default_socket_is_not_an_engine()
    {
        var notASocket = Path.GetTempFileName();
        try
        {
            Assert.NotNull(DockerEngine.Probe(null, notASocket));
        }
        finally
        {
            File.Delete(notASocket);
        }
    }
}
