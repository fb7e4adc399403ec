using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Core.Hosts;
using IpsecMesh.EndToEnd;
using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.EndToEnd.Scenarios;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The end-to-end driver: real controller and simulated AWS here, real libreswan hosts in the UML
// guest that tests/e2e/run.sh booted. Usage: IpsecMesh.EndToEnd --workdir DIR --repo DIR
var arguments = DriverArguments.Parse(args);
if (arguments is null)
{
    Console.Error.WriteLine("usage: IpsecMesh.EndToEnd --workdir DIR --repo DIR");
    return 2;
}
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

var time = TimeProvider.System;
var hosts = GuestHost.Load(Path.Combine(arguments.WorkDirectory, "hosts"));
var spool = new SpoolClient(Path.Combine(arguments.WorkDirectory, "spool"));
var guest = new GuestControl(spool, arguments.WorkDirectory);

await using var aws = new SimulatedAws(new SimulatorOptions { WatchedTagKey = MeshTags.Key }, time);
var instances = GuestFleet.Launch(aws, hosts, spool);
var transport = new AwsTransport(aws.CreateHandler(), aws.Region);
var cloud = new SimulatedMeshCloud(aws, instances, new AwsClientFactory(transport, aws.Region).CreateS3());

var policy = SuitePolicy.Initial(Path.Combine(arguments.RepositoryDirectory, "config", "policy"), hosts);
await cloud.UploadPolicyAsync(policy, stop.Token);

using var controller = ControllerHost.Build(SuitePolicy.ControllerSettings(aws), transport, time,
    logging => logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information));
// The host's console lifetime takes SIGTERM over: end the scenarios with it.
controller.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(stop.Cancel);
await controller.Services.GetRequiredService<CaAdministration>().InitAsync(withBackup: false, stop.Token);
await controller.StartAsync(stop.Token);

var hostHealth = controller.Services.GetRequiredService<HostHealthCollector>();
var context = new ScenarioContext(guest, cloud, time, hosts, policy)
{
    GuestClockOffset = await guest.ClockOffsetAsync(time, stop.Token),
    HostHealth = () => hostHealth.Latest,
};
var outcomes = new List<ScenarioOutcome>();
void Report(ScenarioOutcome outcome)
{
    outcomes.Add(outcome);
    Console.WriteLine(outcome);
}

await FailedInstallScenario.BreakAsync(context, stop.Token);
Report(await EnrolmentScenario.RunAsync(context, [context.Broken], stop.Token));
Report(await UnenrolledPeerScenario.RunAsync(context, stop.Token));
Report(await RotationScenario.RunAsync(context, TimeSpan.FromMinutes(4), stop.Token));
Report(await ConfigChangeScenario.RunAsync(context, stop.Token));
Report(await OffScenario.RunAsync(context, stop.Token));
Report(await FailedInstallScenario.RunAsync(context, stop.Token));

await controller.StopAsync(CancellationToken.None);
var failed = outcomes.Count(o => !o.Passed);
Console.WriteLine($"e2e: {outcomes.Count - failed} scenarios passed, {failed} failed");
return failed == 0 ? 0 : 1;
