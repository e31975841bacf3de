using MlAspire.Peer.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPeerServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPeerEndpoints();

app.Run();
