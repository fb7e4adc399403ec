# syntax=docker/dockerfile:1
# ipsec-mesh controller image: built with the .NET SDK, run on the ASP.NET Core runtime
# (the CLI's `simulate` verb pulls Microsoft.AspNetCore.App), as a non-root user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project and build files only, so that a source change
# reuses the cached package layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY controller/ipsec-mesh.csproj controller/
COPY controller/Core/IpsecMesh.Core.csproj controller/Core/
COPY controller/HostAgent/IpsecMesh.HostAgent.csproj controller/HostAgent/
COPY controller/Pki/IpsecMesh.Pki.csproj controller/Pki/
COPY controller/Simulation/IpsecMesh.Simulation.csproj controller/Simulation/
COPY controller/Simulator/IpsecMesh.Simulator.csproj controller/Simulator/
RUN dotnet restore controller/ipsec-mesh.csproj

COPY controller/ controller/
COPY config/ config/
RUN dotnet publish controller/ipsec-mesh.csproj --no-restore -c Release -o /app -p:DebugType=none

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build --chown=root:root /app/ ./
ENV DOTNET_gcServer=0 \
    DOTNET_NOLOGO=1 \
    IpsecMesh__HealthPort=8080
# The image's unprivileged `app` user (uid 1654); nothing in /app is writable by it.
USER $APP_UID
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/app/ipsec-mesh", "healthcheck"]
ENTRYPOINT ["/app/ipsec-mesh"]
CMD ["run"]
