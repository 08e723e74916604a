-- gui_probe.lua: run inside the Wireshark GUI by tests/gui.py.
--
--   wireshark -X lua_script:gui_probe.lua -X lua_script1:OUT ...
--
-- Writes to OUT, on every tap update: whether this is the GUI, its version,
-- and the verdict the plugin gave each RST as the GUI read the file.
-- Field.new fails (and OUT never appears) if the plugin did not register.
local out_path = ...
local f_frame = Field.new("frame.number")
local f_cause = Field.new("rst.cause")
local f_suspicion = Field.new("rst.suspicion")

local verdicts = {}
local tap = Listener.new("frame", "rst")

function tap.packet(pinfo)
    -- A frame can hold more than one RST (tunnels): keep them all, in order.
    local causes, suspicions = { f_cause() }, { f_suspicion() }
    local parts = {}
    for i, c in ipairs(causes) do
        parts[#parts + 1] = tostring(c) .. "/" .. tostring(suspicions[i])
    end
    verdicts[f_frame()()] = table.concat(parts, ",")
end

function tap.reset()
    verdicts = {}
end

function tap.draw()
    local fh = io.open(out_path .. ".tmp", "w")
    fh:write("gui\t", tostring(gui_enabled()), "\n")
    fh:write("version\t", get_version(), "\n")
    local frames = {}
    for n in pairs(verdicts) do frames[#frames + 1] = n end
    table.sort(frames)
    for _, n in ipairs(frames) do
        fh:write("rst\t", n, "\t", verdicts[n], "\n")
    end
    fh:close()
    os.rename(out_path .. ".tmp", out_path)
end
